import"./chunk-FDMSSTYH.js";import{Pa as a}from"./chunk-AYQYM5IH.js";import"./chunk-WOT6VMZA.js";export{a as echarts};
