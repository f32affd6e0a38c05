import"./chunk-FDMSSTYH.js";import{Pa as t,Sa as r,Ta as a,Ua as o,Va as m}from"./chunk-AYQYM5IH.js";import"./chunk-WOT6VMZA.js";t.use([m,r,o,a]);export{t as echarts};
