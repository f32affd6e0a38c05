import{b as o,c as a,d as r,e,f as t,g as m,h as n,i as p}from"./chunk-N47A3O7T.js";import"./chunk-WOT6VMZA.js";o([r,e,t,m,n,p]);export{a as echarts};
