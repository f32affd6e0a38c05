import{Qa as r,Ra as e,Wa as t,Xa as m,Ya as n,_a as p,za as o}from"./chunk-AYQYM5IH.js";o([r,e,t,m,n,p]);
