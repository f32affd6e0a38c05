import"./chunk-FDMSSTYH.js";import{$ as Fl,A as Pr,Aa as ou,B as Ha,Ba as Tn,C as Yt,Ca as su,D as Ga,Da as qt,E as oi,Ea as at,F as hn,Fa as te,G as dn,Ga as En,H as za,Ha as fu,I as mn,Ia as lu,J as pn,Ja as uu,K as Va,Ka as cu,L as ka,La as Ya,M as Wa,Ma as Sn,N as Xa,Na as qa,O as vn,Oa as Za,P as Nl,Pa as Ka,Q as ja,R as _n,S as Or,T as gn,U as Ir,V as Pl,W as Br,X as Ol,Y as Il,Z as Bl,Za as Qa,_ as yn,_a as Ja,a as Ll,aa as Ul,b as Rl,ba as Hl,c as Ra,ca as Gl,d as on,da as zl,e as Mr,ea as Vl,f as ni,fa as kl,g as Da,ga as Wl,h as sn,ha as Xl,i as Nr,ia as jl,j as Dl,ja as Yl,k as fn,ka as ql,l as ai,la as Zl,m as Ma,ma as Kl,n as Na,na as xn,o as Ml,oa as Ql,p as nt,pa as Jl,q as ln,qa as $l,r as Pa,ra as eu,s as Oa,sa as tu,t as Ia,ta as ru,u as Ba,ua as iu,v as jt,va as nu,w as Fa,wa as au,x as Ua,xa as Fr,y as un,ya as gt,z as cn,za as si}from"./chunk-AYQYM5IH.js";import{a as Cl}from"./chunk-WOT6VMZA.js";var Ur=Math.PI*2,Zt=Ha.CMD,hu=["top","right","bottom","left"];function du(e,t,r,i,n){var a=r.width,o=r.height;switch(e){case"top":i.set(r.x+a/2,r.y-t),n.set(0,-1);break;case"bottom":i.set(r.x+a/2,r.y+o+t),n.set(0,1);break;case"left":i.set(r.x-t,r.y+o/2),n.set(-1,0);break;case"right":i.set(r.x+a+t,r.y+o/2),n.set(1,0);break}}function mu(e,t,r,i,n,a,o,s,f){o-=e,s-=t;var l=Math.sqrt(o*o+s*s);o/=l,s/=l;var u=o*r+e,c=s*r+t;if(Math.abs(i-n)%Ur<1e-4)return f[0]=u,f[1]=c,l-r;if(a){var d=i;i=Yt(n),n=Yt(d)}else i=Yt(i),n=Yt(n);i>n&&(n+=Ur);var h=Math.atan2(s,o);if(h<0&&(h+=Ur),h>=i&&h<=n||h+Ur>=i&&h+Ur<=n)return f[0]=u,f[1]=c,l-r;var m=r*Math.cos(i)+e,p=r*Math.sin(i)+t,v=r*Math.cos(n)+e,_=r*Math.sin(n)+t,x=(m-o)*(m-o)+(p-s)*(p-s),T=(v-o)*(v-o)+(_-s)*(_-s);return x<T?(f[0]=m,f[1]=p,Math.sqrt(x)):(f[0]=v,f[1]=_,Math.sqrt(T))}function wn(e,t,r,i,n,a,o,s){var f=n-e,l=a-t,u=r-e,c=i-t,d=Math.sqrt(u*u+c*c);u/=d,c/=d;var h=f*u+l*c,m=h/d;s&&(m=Math.min(Math.max(m,0),1)),m*=d;var p=o[0]=e+m*u,v=o[1]=t+m*c;return Math.sqrt((p-n)*(p-n)+(v-a)*(v-a))}function eo(e,t,r,i,n,a,o){r<0&&(e=e+r,r=-r),i<0&&(t=t+i,i=-i);var s=e+r,f=t+i,l=o[0]=Math.min(Math.max(n,e),s),u=o[1]=Math.min(Math.max(a,t),f);return Math.sqrt((l-n)*(l-n)+(u-a)*(u-a))}var dt=[];function pu(e,t,r){var i=eo(t.x,t.y,t.width,t.height,e.x,e.y,dt);return r.set(dt[0],dt[1]),i}function vu(e,t,r){for(var i=0,n=0,a=0,o=0,s,f,l=1/0,u=t.data,c=e.x,d=e.y,h=0;h<u.length;){var m=u[h++];h===1&&(i=u[h],n=u[h+1],a=i,o=n);var p=l;switch(m){case Zt.M:a=u[h++],o=u[h++],i=a,n=o;break;case Zt.L:p=wn(i,n,u[h],u[h+1],c,d,dt,!0),i=u[h++],n=u[h++];break;case Zt.C:p=Oa(i,n,u[h++],u[h++],u[h++],u[h++],u[h],u[h+1],c,d,dt),i=u[h++],n=u[h++];break;case Zt.Q:p=Ia(i,n,u[h++],u[h++],u[h],u[h+1],c,d,dt),i=u[h++],n=u[h++];break;case Zt.A:var v=u[h++],_=u[h++],x=u[h++],T=u[h++],g=u[h++],E=u[h++];h+=1;var A=!!(1-u[h++]);s=Math.cos(g)*x+v,f=Math.sin(g)*T+_,h<=1&&(a=s,o=f);var R=(c-v)*T/x+v;p=mu(v,_,T,g,g+E,A,R,d,dt),i=Math.cos(g+E)*x+v,n=Math.sin(g+E)*T+_;break;case Zt.R:a=i=u[h++],o=n=u[h++];var w=u[h++],D=u[h++];p=eo(a,o,w,D,c,d,dt);break;case Zt.Z:p=wn(i,n,a,o,c,d,dt,!0),i=a,n=o;break}p<l&&(l=p,r.set(dt[0],dt[1]))}return l}var Qt=new nt,Oe=new nt,Qe=new nt,lr=new nt,Hr=new nt;function bn(e,t){if(e){var r=e.getTextGuideLine(),i=e.getTextContent();if(i&&r){var n=e.textGuideLineConfig||{},a=[[0,0],[0,0],[0,0]],o=n.candidates||hu,s=i.getBoundingRect().clone();s.applyTransform(i.getComputedTransform());var f=1/0,l=n.anchor,u=e.getComputedTransform(),c=u&&Na([],u),d=t.get("length2")||0;l&&Qe.copy(l);for(var h=0;h<o.length;h++){var m=o[h];du(m,0,s,Qt,lr),nt.scaleAndAdd(Oe,Qt,lr,d),Oe.transform(c);var p=e.getBoundingRect(),v=l?l.distance(Oe):e instanceof Ga?vu(Oe,e.path,Qe):pu(Oe,p,Qe);v<f&&(f=v,Oe.transform(u),Qe.transform(u),Qe.toArray(a[0]),Oe.toArray(a[1]),Qt.toArray(a[2]))}_u(a,t.get("minTurnAngle")),r.setShape({points:a})}}}var $a=[],Kt=new nt;function _u(e,t){if(t<=180&&t>0){t=t/180*Math.PI,Qt.fromArray(e[0]),Oe.fromArray(e[1]),Qe.fromArray(e[2]),nt.sub(lr,Qt,Oe),nt.sub(Hr,Qe,Oe);var r=lr.len(),i=Hr.len();if(!(r<.001||i<.001)){lr.scale(1/r),Hr.scale(1/i);var n=lr.dot(Hr),a=Math.cos(t);if(a<n){var o=wn(Oe.x,Oe.y,Qe.x,Qe.y,Qt.x,Qt.y,$a,!1);Kt.fromArray($a),Kt.scaleAndAdd(Hr,o/Math.tan(Math.PI-t));var s=Qe.x!==Oe.x?(Kt.x-Oe.x)/(Qe.x-Oe.x):(Kt.y-Oe.y)/(Qe.y-Oe.y);if(isNaN(s))return;s<0?nt.copy(Kt,Oe):s>1&&nt.copy(Kt,Qe),Kt.toArray(e[1])}}}}function An(e,t,r,i){var n=r==="normal",a=n?e:e.ensureState(r);a.ignore=t;var o=i.get("smooth");o=o===!0?.3:Math.max(+o,0)||0,a.shape=a.shape||{},a.shape.smooth=o;var s=i.getModel("lineStyle").getLineStyle();n?e.useStyle(s):a.style=s}function gu(e,t){var r=t.smooth,i=t.points;if(i)if(e.moveTo(i[0][0],i[0][1]),r>0&&i.length>=3){var n=fn(i[0],i[1]),a=fn(i[1],i[2]);if(!n||!a){e.lineTo(i[1][0],i[1][1]),e.lineTo(i[2][0],i[2][1]);return}var o=Math.min(n,a)*r,s=ai([],i[1],i[0],o/n),f=ai([],i[1],i[2],o/a),l=ai([],s,f,.5);e.bezierCurveTo(s[0],s[1],s[0],s[1],l[0],l[1]),e.bezierCurveTo(f[0],f[1],f[0],f[1],i[2][0],i[2][1])}else for(var u=1;u<i.length;u++)e.lineTo(i[u][0],i[u][1])}function to(e,t,r){var i=e.getTextGuideLine(),n=e.getTextContent();if(!n){i&&e.removeTextGuideLine();return}for(var a=t.normal,o=a.get("show"),s=n.ignore,f=0;f<dn.length;f++){var l=dn[f],u=t[l],c=l==="normal";if(u){var d=u.get("show"),h=c?s:Nr(n.states[l]&&n.states[l].ignore,s);if(h||!Nr(d,o)){var m=c?i:i&&i.states[l];m&&(m.ignore=!0),i&&An(i,!0,l,u);continue}i||(i=new za,e.setTextGuideLine(i),!c&&(s||!o)&&An(i,!0,"normal",t.normal),e.stateProxy&&(i.stateProxy=e.stateProxy)),An(i,!1,l,u)}}if(i){Ra(i.style,r),i.style.fill=null;var p=a.get("showAbove"),v=e.textGuideLineConfig=e.textGuideLineConfig||{};v.showAbove=p||!1,i.buildPath=gu}}function ro(e,t){t=t||"labelLine";for(var r={normal:e.getModel(t)},i=0;i<hn.length;i++){var n=hn[i];r[n]=e.getModel([n,t])}return r}function yu(e){if(e){for(var t=[],r=0;r<e.length;r++)t.push(e[r].slice());return t}}function xu(e,t){var r=e.label,i=t&&t.getTextGuideLine();return{dataIndex:e.dataIndex,dataType:e.dataType,seriesIndex:e.seriesModel.seriesIndex,text:e.label.style.text,rect:e.hostRect,labelRect:e.rect,align:r.style.align,verticalAlign:r.style.verticalAlign,labelLinePoints:yu(i&&i.shape.points)}}var io=["align","verticalAlign","width","height","fontSize"],ze=new Ua,Cn=Pr(),Tu=Pr();function fi(e,t,r){for(var i=0;i<r.length;i++){var n=r[i];t[n]!=null&&(e[n]=t[n])}}var li=["x","y","rotation"],Eu=(function(){function e(){this._labelList=[],this._chartViewList=[]}return e.prototype.clearLabels=function(){this._labelList=[],this._chartViewList=[]},e.prototype._addLabel=function(t,r,i,n,a){var o=n.style,s=n.__hostTarget,f=s.textConfig||{},l=n.getComputedTransform(),u=n.getBoundingRect().plain();ln.applyTransform(u,u,l),l?ze.setLocalTransform(l):(ze.x=ze.y=ze.rotation=ze.originX=ze.originY=0,ze.scaleX=ze.scaleY=1),ze.rotation=Yt(ze.rotation);var c=n.__hostTarget,d;if(c){d=c.getBoundingRect().plain();var h=c.getComputedTransform();ln.applyTransform(d,d,h)}var m=d&&c.getTextGuideLine();this._labelList.push({label:n,labelLine:m,seriesModel:i,dataIndex:t,dataType:r,layoutOptionOrCb:a,layoutOption:null,rect:u,hostRect:d,priority:d?d.width*d.height:0,defaultAttr:{ignore:n.ignore,labelGuideIgnore:m&&m.ignore,x:ze.x,y:ze.y,scaleX:ze.scaleX,scaleY:ze.scaleY,rotation:ze.rotation,style:{x:o.x,y:o.y,align:o.align,verticalAlign:o.verticalAlign,width:o.width,height:o.height,fontSize:o.fontSize},cursor:n.cursor,attachedPos:f.position,attachedRot:f.rotation}})},e.prototype.addLabelsOfSeries=function(t){var r=this;this._chartViewList.push(t);var i=t.__model,n=i.get("labelLayout");(sn(n)||Da(n).length)&&t.group.traverse(function(a){if(a.ignore)return!0;var o=a.getTextContent(),s=oi(a);o&&!o.disableLabelLayout&&r._addLabel(s.dataIndex,s.dataType,i,o,n)})},e.prototype.updateLayoutConfig=function(t){var r=t.getWidth(),i=t.getHeight();function n(T,g){return function(){bn(T,g)}}for(var a=0;a<this._labelList.length;a++){var o=this._labelList[a],s=o.label,f=s.__hostTarget,l=o.defaultAttr,u=void 0;sn(o.layoutOptionOrCb)?u=o.layoutOptionOrCb(xu(o,f)):u=o.layoutOptionOrCb,u=u||{},o.layoutOption=u;var c=Math.PI/180;f&&f.setTextConfig({local:!1,position:u.x!=null||u.y!=null?null:l.attachedPos,rotation:u.rotate!=null?u.rotate*c:l.attachedRot,offset:[u.dx||0,u.dy||0]});var d=!1;if(u.x!=null?(s.x=cn(u.x,r),s.setStyle("x",0),d=!0):(s.x=l.x,s.setStyle("x",l.style.x)),u.y!=null?(s.y=cn(u.y,i),s.setStyle("y",0),d=!0):(s.y=l.y,s.setStyle("y",l.style.y)),u.labelLinePoints){var h=f.getTextGuideLine();h&&(h.setShape({points:u.labelLinePoints}),d=!1)}var m=Cn(s);m.needsUpdateLabelLine=d,s.rotation=u.rotate!=null?u.rotate*c:l.rotation,s.scaleX=l.scaleX,s.scaleY=l.scaleY;for(var p=0;p<io.length;p++){var v=io[p];s.setStyle(v,u[v]!=null?u[v]:l.style[v])}if(u.draggable){if(s.draggable=!0,s.cursor="move",f){var _=o.seriesModel;if(o.dataIndex!=null){var x=o.seriesModel.getData(o.dataType);_=x.getItemModel(o.dataIndex)}s.on("drag",n(f,_.getModel("labelLine")))}}else s.off("drag"),s.cursor=l.cursor}},e.prototype.layout=function(t){var r=t.getWidth(),i=t.getHeight(),n=[];Mr(this._labelList,function(f){f.defaultAttr.ignore||n.push(Ya({},f))});var a=ni(n,function(f){return f.layoutOption.moveOverlap==="shiftX"}),o=ni(n,function(f){return f.layoutOption.moveOverlap==="shiftY"});Sn(a,0,0,r),Sn(o,1,0,i);var s=ni(n,function(f){return f.layoutOption.hideOverlap});qa(s),Za(s)},e.prototype.processLabelsOverall=function(){var t=this;Mr(this._chartViewList,function(r){var i=r.__model,n=r.ignoreLabelLineUpdate,a=i.isAnimationEnabled();r.group.traverse(function(o){if(o.ignore&&!o.forceLabelAnimation)return!0;var s=!n,f=o.getTextContent();!s&&f&&(s=Cn(f).needsUpdateLabelLine),s&&t._updateLabelLine(o,i),a&&t._animateLabels(o,i)})})},e.prototype._updateLabelLine=function(t,r){var i=t.getTextContent(),n=oi(t),a=n.dataIndex;if(i&&a!=null){var o=r.getData(n.dataType),s=o.getItemModel(a),f={},l=o.getItemVisual(a,"style");if(l){var u=o.getVisual("drawType");f.stroke=l[u]}var c=s.getModel("labelLine");to(t,ro(s),f),bn(t,c)}},e.prototype._animateLabels=function(t,r){var i=t.getTextContent(),n=t.getTextGuideLine();if(i&&(t.forceLabelAnimation||!i.ignore&&!i.invisible&&!t.disableLabelAnimation&&!Va(t))){var a=Cn(i),o=a.oldLayout,s=oi(t),f=s.dataIndex,l={x:i.x,y:i.y,rotation:i.rotation},u=r.getData(s.dataType);if(o){i.attr(o);var d=t.prevStates;d&&(on(d,"select")>=0&&i.attr(a.oldLayoutSelect),on(d,"emphasis")>=0&&i.attr(a.oldLayoutEmphasis)),mn(i,l,r,f)}else if(i.attr(l),!Wa(i).valueAnimation){var c=Nr(i.style.opacity,1);i.style.opacity=0,pn(i,{style:{opacity:c}},r,f)}if(a.oldLayout=l,i.states.select){var h=a.oldLayoutSelect={};fi(h,l,li),fi(h,i.states.select,li)}if(i.states.emphasis){var m=a.oldLayoutEmphasis={};fi(m,l,li),fi(m,i.states.emphasis,li)}Xa(i,f,u,r,r)}if(n&&!n.ignore&&!n.invisible){var a=Tu(n),o=a.oldLayout,p={points:n.shape.points};o?(n.attr({shape:o}),mn(n,{shape:p},r)):(n.setShape(p),n.style.strokePercent=0,pn(n,{style:{strokePercent:1}},r)),a.oldLayout=p}},e})(),no=Eu;var Ln=Pr();function ao(e){e.registerUpdateLifecycle("series:beforeupdate",function(t,r,i){var n=Ln(r).labelManager;n||(n=Ln(r).labelManager=new no),n.clearLabels()}),e.registerUpdateLifecycle("series:layoutlabels",function(t,r,i){var n=Ln(r).labelManager;Mr(i.updatedSeries,function(a){n.addLabelsOfSeries(r.getViewOfSeriesModel(a))}),n.updateLayoutConfig(r),n.layout(r),n.processLabelsOverall()})}var ye={};Cl(ye,{Axis:()=>En,ChartView:()=>Ir,ComponentModel:()=>_n,ComponentView:()=>gn,List:()=>Fr,Model:()=>vn,PRIORITY:()=>Bl,SeriesModel:()=>Or,color:()=>jt,connect:()=>Fl,dataTool:()=>au,default:()=>Su,dependencies:()=>Il,disConnect:()=>Hl,disconnect:()=>Ul,dispose:()=>Gl,env:()=>Ll,extendChartView:()=>cu,extendComponentModel:()=>fu,extendComponentView:()=>lu,extendSeriesModel:()=>uu,format:()=>at,getCoordinateSystemDimensions:()=>xn,getInstanceByDom:()=>zl,getInstanceById:()=>Vl,getMap:()=>iu,graphic:()=>qt,helper:()=>gt,init:()=>yn,innerDrawElementOnCanvas:()=>Br,matrix:()=>Ml,number:()=>Tn,parseGeoJSON:()=>ou,parseGeoJson:()=>ou,registerAction:()=>Zl,registerCoordinateSystem:()=>Kl,registerCustomSeries:()=>Ql,registerLayout:()=>Jl,registerLoading:()=>eu,registerLocale:()=>Nl,registerMap:()=>ru,registerPostInit:()=>jl,registerPostUpdate:()=>Yl,registerPreprocessor:()=>Wl,registerProcessor:()=>Xl,registerTheme:()=>kl,registerTransform:()=>nu,registerUpdateLifecycle:()=>ql,registerVisual:()=>$l,setCanvasCreator:()=>tu,setPlatformAPI:()=>Rl,throttle:()=>Pl,time:()=>su,use:()=>si,util:()=>te,vector:()=>Ma,version:()=>Ol,zrUtil:()=>Dl,zrender:()=>un});si([Ja,Qa]);var Su={init:function(){return yn.apply(null,arguments)}};si(ao);function oo(e,t,r){typeof t=="object"&&(r=t,t=null);var i=this,n;if(!(e instanceof Function)){n=[];for(var a in e)e.hasOwnProperty(a)&&n.push(a)}var o=function(f){if(i.apply(this,arguments),e instanceof Function?so(this,e.call(this,f)):Au(this,e,n),this.constructor===o)for(var l=o.__initializers__,u=0;u<l.length;u++)l[u].apply(this,arguments)};o.__super__=i,i.__initializers__?o.__initializers__=i.__initializers__.slice():o.__initializers__=[],t&&o.__initializers__.push(t);var s=function(){};return s.prototype=i.prototype,o.prototype=new s,o.prototype.constructor=o,so(o.prototype,r),o.extend=i.extend,o.derive=i.extend,o}function so(e,t){if(t)for(var r in t)t.hasOwnProperty(r)&&(e[r]=t[r])}function Au(e,t,r){for(var i=0;i<r.length;i++){var n=r[i];e[n]=t[n]}}var fo={extend:oo,derive:oo};function wu(e,t){this.action=e,this.context=t}var bu={trigger:function(e){if(this.hasOwnProperty("__handlers__")&&this.__handlers__.hasOwnProperty(e)){var t=this.__handlers__[e],r=t.length,i=-1,n=arguments;switch(n.length){case 1:for(;++i<r;)t[i].action.call(t[i].context);return;case 2:for(;++i<r;)t[i].action.call(t[i].context,n[1]);return;case 3:for(;++i<r;)t[i].action.call(t[i].context,n[1],n[2]);return;case 4:for(;++i<r;)t[i].action.call(t[i].context,n[1],n[2],n[3]);return;case 5:for(;++i<r;)t[i].action.call(t[i].context,n[1],n[2],n[3],n[4]);return;default:for(;++i<r;)t[i].action.apply(t[i].context,Array.prototype.slice.call(n,1));return}}},on:function(e,t,r){if(!(!e||!t)){var i=this.__handlers__||(this.__handlers__={});if(!i[e])i[e]=[];else if(this.has(e,t))return;var n=new wu(t,r||this);return i[e].push(n),this}},once:function(e,t,r){if(!e||!t)return;var i=this;function n(){i.off(e,n),t.apply(this,arguments)}return this.on(e,n,r)},before:function(e,t,r){if(!(!e||!t))return e="before"+e,this.on(e,t,r)},after:function(e,t,r){if(!(!e||!t))return e="after"+e,this.on(e,t,r)},success:function(e,t){return this.once("success",e,t)},error:function(e,t){return this.once("error",e,t)},off:function(e,t){var r=this.__handlers__||(this.__handlers__={});if(!t){r[e]=[];return}if(r[e]){for(var i=r[e],n=[],a=0;a<i.length;a++)t&&i[a].action!==t&&n.push(i[a]);r[e]=n}return this},has:function(e,t){var r=this.__handlers__;if(!r||!r[e])return!1;for(var i=r[e],n=0;n<i.length;n++)if(i[n].action===t)return!0}},ur=bu;var Cu=0,Lu=Array.prototype,Ru=Lu.forEach,Gr={genGUID:function(){return++Cu},relative2absolute:function(e,t){if(!t||e.match(/^\//))return e;for(var r=e.split("/"),i=t.split("/"),n=r[0];n==="."||n==="..";)n===".."&&i.pop(),r.shift(),n=r[0];return i.join("/")+"/"+r.join("/")},extend:function(e,t){if(t)for(var r in t)t.hasOwnProperty(r)&&(e[r]=t[r]);return e},defaults:function(e,t){if(t)for(var r in t)e[r]===void 0&&(e[r]=t[r]);return e},extendWithPropList:function(e,t,r){if(t)for(var i=0;i<r.length;i++){var n=r[i];e[n]=t[n]}return e},defaultsWithPropList:function(e,t,r){if(t)for(var i=0;i<r.length;i++){var n=r[i];e[n]==null&&(e[n]=t[n])}return e},each:function(e,t,r){if(e&&t)if(e.forEach&&e.forEach===Ru)e.forEach(t,r);else if(e.length===+e.length)for(var i=0,n=e.length;i<n;i++)t.call(r,e[i],i,e);else for(var a in e)e.hasOwnProperty(a)&&t.call(r,e[a],a,e)},isObject:function(e){return e===Object(e)},isArray:function(e){return Array.isArray(e)},isArrayLike:function(e){return e?e.length===+e.length:!1},clone:function(e){if(Gr.isObject(e)){if(Gr.isArray(e))return e.slice();if(Gr.isArrayLike(e)){for(var t=new e.constructor(e.length),r=0;r<e.length;r++)t[r]=e[r];return t}else return Gr.extend({},e)}else return e}},pe=Gr;var ui=function(){this.__uid__=pe.genGUID()};ui.__initializers__=[function(e){pe.extend(this,e)}];pe.extend(ui,fo);pe.extend(ui.prototype,ur);var le=ui;var zr=1e-6,he=Array,It=Math.random;var V={};V.create=function(){var e=new he(3);return e[0]=0,e[1]=0,e[2]=0,e};V.clone=function(e){var t=new he(3);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t};V.fromValues=function(e,t,r){var i=new he(3);return i[0]=e,i[1]=t,i[2]=r,i};V.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e};V.set=function(e,t,r,i){return e[0]=t,e[1]=r,e[2]=i,e};V.add=function(e,t,r){return e[0]=t[0]+r[0],e[1]=t[1]+r[1],e[2]=t[2]+r[2],e};V.subtract=function(e,t,r){return e[0]=t[0]-r[0],e[1]=t[1]-r[1],e[2]=t[2]-r[2],e};V.sub=V.subtract;V.multiply=function(e,t,r){return e[0]=t[0]*r[0],e[1]=t[1]*r[1],e[2]=t[2]*r[2],e};V.mul=V.multiply;V.divide=function(e,t,r){return e[0]=t[0]/r[0],e[1]=t[1]/r[1],e[2]=t[2]/r[2],e};V.div=V.divide;V.min=function(e,t,r){return e[0]=Math.min(t[0],r[0]),e[1]=Math.min(t[1],r[1]),e[2]=Math.min(t[2],r[2]),e};V.max=function(e,t,r){return e[0]=Math.max(t[0],r[0]),e[1]=Math.max(t[1],r[1]),e[2]=Math.max(t[2],r[2]),e};V.scale=function(e,t,r){return e[0]=t[0]*r,e[1]=t[1]*r,e[2]=t[2]*r,e};V.scaleAndAdd=function(e,t,r,i){return e[0]=t[0]+r[0]*i,e[1]=t[1]+r[1]*i,e[2]=t[2]+r[2]*i,e};V.distance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1],n=t[2]-e[2];return Math.sqrt(r*r+i*i+n*n)};V.dist=V.distance;V.squaredDistance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1],n=t[2]-e[2];return r*r+i*i+n*n};V.sqrDist=V.squaredDistance;V.length=function(e){var t=e[0],r=e[1],i=e[2];return Math.sqrt(t*t+r*r+i*i)};V.len=V.length;V.squaredLength=function(e){var t=e[0],r=e[1],i=e[2];return t*t+r*r+i*i};V.sqrLen=V.squaredLength;V.negate=function(e,t){return e[0]=-t[0],e[1]=-t[1],e[2]=-t[2],e};V.inverse=function(e,t){return e[0]=1/t[0],e[1]=1/t[1],e[2]=1/t[2],e};V.normalize=function(e,t){var r=t[0],i=t[1],n=t[2],a=r*r+i*i+n*n;return a>0&&(a=1/Math.sqrt(a),e[0]=t[0]*a,e[1]=t[1]*a,e[2]=t[2]*a),e};V.dot=function(e,t){return e[0]*t[0]+e[1]*t[1]+e[2]*t[2]};V.cross=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=r[0],s=r[1],f=r[2];return e[0]=n*f-a*s,e[1]=a*o-i*f,e[2]=i*s-n*o,e};V.lerp=function(e,t,r,i){var n=t[0],a=t[1],o=t[2];return e[0]=n+i*(r[0]-n),e[1]=a+i*(r[1]-a),e[2]=o+i*(r[2]-o),e};V.random=function(e,t){t=t||1;var r=It()*2*Math.PI,i=It()*2-1,n=Math.sqrt(1-i*i)*t;return e[0]=Math.cos(r)*n,e[1]=Math.sin(r)*n,e[2]=i*t,e};V.transformMat4=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=r[3]*i+r[7]*n+r[11]*a+r[15];return o=o||1,e[0]=(r[0]*i+r[4]*n+r[8]*a+r[12])/o,e[1]=(r[1]*i+r[5]*n+r[9]*a+r[13])/o,e[2]=(r[2]*i+r[6]*n+r[10]*a+r[14])/o,e};V.transformMat3=function(e,t,r){var i=t[0],n=t[1],a=t[2];return e[0]=i*r[0]+n*r[3]+a*r[6],e[1]=i*r[1]+n*r[4]+a*r[7],e[2]=i*r[2]+n*r[5]+a*r[8],e};V.transformQuat=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=r[0],s=r[1],f=r[2],l=r[3],u=l*i+s*a-f*n,c=l*n+f*i-o*a,d=l*a+o*n-s*i,h=-o*i-s*n-f*a;return e[0]=u*l+h*-o+c*-f-d*-s,e[1]=c*l+h*-s+d*-o-u*-f,e[2]=d*l+h*-f+u*-s-c*-o,e};V.rotateX=function(e,t,r,i){var n=[],a=[];return n[0]=t[0]-r[0],n[1]=t[1]-r[1],n[2]=t[2]-r[2],a[0]=n[0],a[1]=n[1]*Math.cos(i)-n[2]*Math.sin(i),a[2]=n[1]*Math.sin(i)+n[2]*Math.cos(i),e[0]=a[0]+r[0],e[1]=a[1]+r[1],e[2]=a[2]+r[2],e};V.rotateY=function(e,t,r,i){var n=[],a=[];return n[0]=t[0]-r[0],n[1]=t[1]-r[1],n[2]=t[2]-r[2],a[0]=n[2]*Math.sin(i)+n[0]*Math.cos(i),a[1]=n[1],a[2]=n[2]*Math.cos(i)-n[0]*Math.sin(i),e[0]=a[0]+r[0],e[1]=a[1]+r[1],e[2]=a[2]+r[2],e};V.rotateZ=function(e,t,r,i){var n=[],a=[];return n[0]=t[0]-r[0],n[1]=t[1]-r[1],n[2]=t[2]-r[2],a[0]=n[0]*Math.cos(i)-n[1]*Math.sin(i),a[1]=n[0]*Math.sin(i)+n[1]*Math.cos(i),a[2]=n[2],e[0]=a[0]+r[0],e[1]=a[1]+r[1],e[2]=a[2]+r[2],e};V.forEach=(function(){var e=V.create();return function(t,r,i,n,a,o){var s,f;for(r||(r=3),i||(i=0),n?f=Math.min(n*r+i,t.length):f=t.length,s=i;s<f;s+=r)e[0]=t[s],e[1]=t[s+1],e[2]=t[s+2],a(e,e,o),t[s]=e[0],t[s+1]=e[1],t[s+2]=e[2];return t}})();V.angle=function(e,t){var r=V.fromValues(e[0],e[1],e[2]),i=V.fromValues(t[0],t[1],t[2]);V.normalize(r,r),V.normalize(i,i);var n=V.dot(r,i);return n>1?0:Math.acos(n)};var y=V;var k=function(e,t,r){e=e||0,t=t||0,r=r||0,this.array=y.fromValues(e,t,r),this._dirty=!0};k.prototype={constructor:k,add:function(e){return y.add(this.array,this.array,e.array),this._dirty=!0,this},set:function(e,t,r){return this.array[0]=e,this.array[1]=t,this.array[2]=r,this._dirty=!0,this},setArray:function(e){return this.array[0]=e[0],this.array[1]=e[1],this.array[2]=e[2],this._dirty=!0,this},clone:function(){return new k(this.x,this.y,this.z)},copy:function(e){return y.copy(this.array,e.array),this._dirty=!0,this},cross:function(e,t){return y.cross(this.array,e.array,t.array),this._dirty=!0,this},dist:function(e){return y.dist(this.array,e.array)},distance:function(e){return y.distance(this.array,e.array)},div:function(e){return y.div(this.array,this.array,e.array),this._dirty=!0,this},divide:function(e){return y.divide(this.array,this.array,e.array),this._dirty=!0,this},dot:function(e){return y.dot(this.array,e.array)},len:function(){return y.len(this.array)},length:function(){return y.length(this.array)},lerp:function(e,t,r){return y.lerp(this.array,e.array,t.array,r),this._dirty=!0,this},min:function(e){return y.min(this.array,this.array,e.array),this._dirty=!0,this},max:function(e){return y.max(this.array,this.array,e.array),this._dirty=!0,this},mul:function(e){return y.mul(this.array,this.array,e.array),this._dirty=!0,this},multiply:function(e){return y.multiply(this.array,this.array,e.array),this._dirty=!0,this},negate:function(){return y.negate(this.array,this.array),this._dirty=!0,this},normalize:function(){return y.normalize(this.array,this.array),this._dirty=!0,this},random:function(e){return y.random(this.array,e),this._dirty=!0,this},scale:function(e){return y.scale(this.array,this.array,e),this._dirty=!0,this},scaleAndAdd:function(e,t){return y.scaleAndAdd(this.array,this.array,e.array,t),this._dirty=!0,this},sqrDist:function(e){return y.sqrDist(this.array,e.array)},squaredDistance:function(e){return y.squaredDistance(this.array,e.array)},sqrLen:function(){return y.sqrLen(this.array)},squaredLength:function(){return y.squaredLength(this.array)},sub:function(e){return y.sub(this.array,this.array,e.array),this._dirty=!0,this},subtract:function(e){return y.subtract(this.array,this.array,e.array),this._dirty=!0,this},transformMat3:function(e){return y.transformMat3(this.array,this.array,e.array),this._dirty=!0,this},transformMat4:function(e){return y.transformMat4(this.array,this.array,e.array),this._dirty=!0,this},transformQuat:function(e){return y.transformQuat(this.array,this.array,e.array),this._dirty=!0,this},applyProjection:function(e){var t=this.array;if(e=e.array,e[15]===0){var r=-1/t[2];t[0]=e[0]*t[0]*r,t[1]=e[5]*t[1]*r,t[2]=(e[10]*t[2]+e[14])*r}else t[0]=e[0]*t[0]+e[12],t[1]=e[5]*t[1]+e[13],t[2]=e[10]*t[2]+e[14];return this._dirty=!0,this},eulerFromQuat:function(e,t){k.eulerFromQuat(this,e,t)},eulerFromMat3:function(e,t){k.eulerFromMat3(this,e,t)},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};var ci=Object.defineProperty;ci&&(hi=k.prototype,ci(hi,"x",{get:function(){return this.array[0]},set:function(e){this.array[0]=e,this._dirty=!0}}),ci(hi,"y",{get:function(){return this.array[1]},set:function(e){this.array[1]=e,this._dirty=!0}}),ci(hi,"z",{get:function(){return this.array[2]},set:function(e){this.array[2]=e,this._dirty=!0}}));var hi;k.add=function(e,t,r){return y.add(e.array,t.array,r.array),e._dirty=!0,e};k.set=function(e,t,r,i){y.set(e.array,t,r,i),e._dirty=!0};k.copy=function(e,t){return y.copy(e.array,t.array),e._dirty=!0,e};k.cross=function(e,t,r){return y.cross(e.array,t.array,r.array),e._dirty=!0,e};k.dist=function(e,t){return y.distance(e.array,t.array)};k.distance=k.dist;k.div=function(e,t,r){return y.divide(e.array,t.array,r.array),e._dirty=!0,e};k.divide=k.div;k.dot=function(e,t){return y.dot(e.array,t.array)};k.len=function(e){return y.length(e.array)};k.lerp=function(e,t,r,i){return y.lerp(e.array,t.array,r.array,i),e._dirty=!0,e};k.min=function(e,t,r){return y.min(e.array,t.array,r.array),e._dirty=!0,e};k.max=function(e,t,r){return y.max(e.array,t.array,r.array),e._dirty=!0,e};k.mul=function(e,t,r){return y.multiply(e.array,t.array,r.array),e._dirty=!0,e};k.multiply=k.mul;k.negate=function(e,t){return y.negate(e.array,t.array),e._dirty=!0,e};k.normalize=function(e,t){return y.normalize(e.array,t.array),e._dirty=!0,e};k.random=function(e,t){return y.random(e.array,t),e._dirty=!0,e};k.scale=function(e,t,r){return y.scale(e.array,t.array,r),e._dirty=!0,e};k.scaleAndAdd=function(e,t,r,i){return y.scaleAndAdd(e.array,t.array,r.array,i),e._dirty=!0,e};k.sqrDist=function(e,t){return y.sqrDist(e.array,t.array)};k.squaredDistance=k.sqrDist;k.sqrLen=function(e){return y.sqrLen(e.array)};k.squaredLength=k.sqrLen;k.sub=function(e,t,r){return y.subtract(e.array,t.array,r.array),e._dirty=!0,e};k.subtract=k.sub;k.transformMat3=function(e,t,r){return y.transformMat3(e.array,t.array,r.array),e._dirty=!0,e};k.transformMat4=function(e,t,r){return y.transformMat4(e.array,t.array,r.array),e._dirty=!0,e};k.transformQuat=function(e,t,r){return y.transformQuat(e.array,t.array,r.array),e._dirty=!0,e};function ot(e,t,r){return e<t?t:e>r?r:e}var oe=Math.atan2,st=Math.asin,cr=Math.abs;k.eulerFromQuat=function(e,t,d){e._dirty=!0,t=t.array;var i=e.array,n=t[0],a=t[1],o=t[2],s=t[3],f=n*n,l=a*a,u=o*o,c=s*s,d=(d||"XYZ").toUpperCase();switch(d){case"XYZ":i[0]=oe(2*(n*s-a*o),c-f-l+u),i[1]=st(ot(2*(n*o+a*s),-1,1)),i[2]=oe(2*(o*s-n*a),c+f-l-u);break;case"YXZ":i[0]=st(ot(2*(n*s-a*o),-1,1)),i[1]=oe(2*(n*o+a*s),c-f-l+u),i[2]=oe(2*(n*a+o*s),c-f+l-u);break;case"ZXY":i[0]=st(ot(2*(n*s+a*o),-1,1)),i[1]=oe(2*(a*s-o*n),c-f-l+u),i[2]=oe(2*(o*s-n*a),c-f+l-u);break;case"ZYX":i[0]=oe(2*(n*s+o*a),c-f-l+u),i[1]=st(ot(2*(a*s-n*o),-1,1)),i[2]=oe(2*(n*a+o*s),c+f-l-u);break;case"YZX":i[0]=oe(2*(n*s-o*a),c-f+l-u),i[1]=oe(2*(a*s-n*o),c+f-l-u),i[2]=st(ot(2*(n*a+o*s),-1,1));break;case"XZY":i[0]=oe(2*(n*s+a*o),c-f+l-u),i[1]=oe(2*(n*o+a*s),c+f-l-u),i[2]=st(ot(2*(o*s-n*a),-1,1));break;default:console.warn("Unkown order: "+d)}return e};k.eulerFromMat3=function(e,t,m){var i=t.array,n=i[0],a=i[3],o=i[6],s=i[1],f=i[4],l=i[7],u=i[2],c=i[5],d=i[8],h=e.array,m=(m||"XYZ").toUpperCase();switch(m){case"XYZ":h[1]=st(ot(o,-1,1)),cr(o)<.99999?(h[0]=oe(-l,d),h[2]=oe(-a,n)):(h[0]=oe(c,f),h[2]=0);break;case"YXZ":h[0]=st(-ot(l,-1,1)),cr(l)<.99999?(h[1]=oe(o,d),h[2]=oe(s,f)):(h[1]=oe(-u,n),h[2]=0);break;case"ZXY":h[0]=st(ot(c,-1,1)),cr(c)<.99999?(h[1]=oe(-u,d),h[2]=oe(-a,f)):(h[1]=0,h[2]=oe(s,n));break;case"ZYX":h[1]=st(-ot(u,-1,1)),cr(u)<.99999?(h[0]=oe(c,d),h[2]=oe(s,n)):(h[0]=0,h[2]=oe(-a,f));break;case"YZX":h[2]=st(ot(s,-1,1)),cr(s)<.99999?(h[0]=oe(-l,f),h[1]=oe(-u,n)):(h[0]=0,h[1]=oe(o,d));break;case"XZY":h[2]=st(-ot(a,-1,1)),cr(a)<.99999?(h[0]=oe(c,f),h[1]=oe(o,n)):(h[0]=oe(-l,d),h[1]=0);break;default:console.warn("Unkown order: "+m)}return e._dirty=!0,e};Object.defineProperties(k,{POSITIVE_X:{get:function(){return new k(1,0,0)}},NEGATIVE_X:{get:function(){return new k(-1,0,0)}},POSITIVE_Y:{get:function(){return new k(0,1,0)}},NEGATIVE_Y:{get:function(){return new k(0,-1,0)}},POSITIVE_Z:{get:function(){return new k(0,0,1)}},NEGATIVE_Z:{get:function(){return new k(0,0,-1)}},UP:{get:function(){return new k(0,1,0)}},ZERO:{get:function(){return new k}}});var C=k;var Z={};Z.create=function(){var e=new he(4);return e[0]=0,e[1]=0,e[2]=0,e[3]=0,e};Z.clone=function(e){var t=new he(4);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3],t};Z.fromValues=function(e,t,r,i){var n=new he(4);return n[0]=e,n[1]=t,n[2]=r,n[3]=i,n};Z.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e};Z.set=function(e,t,r,i,n){return e[0]=t,e[1]=r,e[2]=i,e[3]=n,e};Z.add=function(e,t,r){return e[0]=t[0]+r[0],e[1]=t[1]+r[1],e[2]=t[2]+r[2],e[3]=t[3]+r[3],e};Z.subtract=function(e,t,r){return e[0]=t[0]-r[0],e[1]=t[1]-r[1],e[2]=t[2]-r[2],e[3]=t[3]-r[3],e};Z.sub=Z.subtract;Z.multiply=function(e,t,r){return e[0]=t[0]*r[0],e[1]=t[1]*r[1],e[2]=t[2]*r[2],e[3]=t[3]*r[3],e};Z.mul=Z.multiply;Z.divide=function(e,t,r){return e[0]=t[0]/r[0],e[1]=t[1]/r[1],e[2]=t[2]/r[2],e[3]=t[3]/r[3],e};Z.div=Z.divide;Z.min=function(e,t,r){return e[0]=Math.min(t[0],r[0]),e[1]=Math.min(t[1],r[1]),e[2]=Math.min(t[2],r[2]),e[3]=Math.min(t[3],r[3]),e};Z.max=function(e,t,r){return e[0]=Math.max(t[0],r[0]),e[1]=Math.max(t[1],r[1]),e[2]=Math.max(t[2],r[2]),e[3]=Math.max(t[3],r[3]),e};Z.scale=function(e,t,r){return e[0]=t[0]*r,e[1]=t[1]*r,e[2]=t[2]*r,e[3]=t[3]*r,e};Z.scaleAndAdd=function(e,t,r,i){return e[0]=t[0]+r[0]*i,e[1]=t[1]+r[1]*i,e[2]=t[2]+r[2]*i,e[3]=t[3]+r[3]*i,e};Z.distance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1],n=t[2]-e[2],a=t[3]-e[3];return Math.sqrt(r*r+i*i+n*n+a*a)};Z.dist=Z.distance;Z.squaredDistance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1],n=t[2]-e[2],a=t[3]-e[3];return r*r+i*i+n*n+a*a};Z.sqrDist=Z.squaredDistance;Z.length=function(e){var t=e[0],r=e[1],i=e[2],n=e[3];return Math.sqrt(t*t+r*r+i*i+n*n)};Z.len=Z.length;Z.squaredLength=function(e){var t=e[0],r=e[1],i=e[2],n=e[3];return t*t+r*r+i*i+n*n};Z.sqrLen=Z.squaredLength;Z.negate=function(e,t){return e[0]=-t[0],e[1]=-t[1],e[2]=-t[2],e[3]=-t[3],e};Z.inverse=function(e,t){return e[0]=1/t[0],e[1]=1/t[1],e[2]=1/t[2],e[3]=1/t[3],e};Z.normalize=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=r*r+i*i+n*n+a*a;return o>0&&(o=1/Math.sqrt(o),e[0]=t[0]*o,e[1]=t[1]*o,e[2]=t[2]*o,e[3]=t[3]*o),e};Z.dot=function(e,t){return e[0]*t[0]+e[1]*t[1]+e[2]*t[2]+e[3]*t[3]};Z.lerp=function(e,t,r,i){var n=t[0],a=t[1],o=t[2],s=t[3];return e[0]=n+i*(r[0]-n),e[1]=a+i*(r[1]-a),e[2]=o+i*(r[2]-o),e[3]=s+i*(r[3]-s),e};Z.random=function(e,t){return t=t||1,e[0]=It(),e[1]=It(),e[2]=It(),e[3]=It(),Z.normalize(e,e),Z.scale(e,e,t),e};Z.transformMat4=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3];return e[0]=r[0]*i+r[4]*n+r[8]*a+r[12]*o,e[1]=r[1]*i+r[5]*n+r[9]*a+r[13]*o,e[2]=r[2]*i+r[6]*n+r[10]*a+r[14]*o,e[3]=r[3]*i+r[7]*n+r[11]*a+r[15]*o,e};Z.transformQuat=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=r[0],s=r[1],f=r[2],l=r[3],u=l*i+s*a-f*n,c=l*n+f*i-o*a,d=l*a+o*n-s*i,h=-o*i-s*n-f*a;return e[0]=u*l+h*-o+c*-f-d*-s,e[1]=c*l+h*-s+d*-o-u*-f,e[2]=d*l+h*-f+u*-s-c*-o,e};Z.forEach=(function(){var e=Z.create();return function(t,r,i,n,a,o){var s,f;for(r||(r=4),i||(i=0),n?f=Math.min(n*r+i,t.length):f=t.length,s=i;s<f;s+=r)e[0]=t[s],e[1]=t[s+1],e[2]=t[s+2],e[3]=t[s+3],a(e,e,o),t[s]=e[0],t[s+1]=e[1],t[s+2]=e[2],t[s+3]=e[3];return t}})();var M=Z;var Le={};Le.create=function(){var e=new he(9);return e[0]=1,e[1]=0,e[2]=0,e[3]=0,e[4]=1,e[5]=0,e[6]=0,e[7]=0,e[8]=1,e};Le.fromMat4=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[4],e[4]=t[5],e[5]=t[6],e[6]=t[8],e[7]=t[9],e[8]=t[10],e};Le.clone=function(e){var t=new he(9);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3],t[4]=e[4],t[5]=e[5],t[6]=e[6],t[7]=e[7],t[8]=e[8],t};Le.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e[4]=t[4],e[5]=t[5],e[6]=t[6],e[7]=t[7],e[8]=t[8],e};Le.identity=function(e){return e[0]=1,e[1]=0,e[2]=0,e[3]=0,e[4]=1,e[5]=0,e[6]=0,e[7]=0,e[8]=1,e};Le.transpose=function(e,t){if(e===t){var r=t[1],i=t[2],n=t[5];e[1]=t[3],e[2]=t[6],e[3]=r,e[5]=t[7],e[6]=i,e[7]=n}else e[0]=t[0],e[1]=t[3],e[2]=t[6],e[3]=t[1],e[4]=t[4],e[5]=t[7],e[6]=t[2],e[7]=t[5],e[8]=t[8];return e};Le.invert=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=t[6],l=t[7],u=t[8],c=u*o-s*l,d=-u*a+s*f,h=l*a-o*f,m=r*c+i*d+n*h;return m?(m=1/m,e[0]=c*m,e[1]=(-u*i+n*l)*m,e[2]=(s*i-n*o)*m,e[3]=d*m,e[4]=(u*r-n*f)*m,e[5]=(-s*r+n*a)*m,e[6]=h*m,e[7]=(-l*r+i*f)*m,e[8]=(o*r-i*a)*m,e):null};Le.adjoint=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=t[6],l=t[7],u=t[8];return e[0]=o*u-s*l,e[1]=n*l-i*u,e[2]=i*s-n*o,e[3]=s*f-a*u,e[4]=r*u-n*f,e[5]=n*a-r*s,e[6]=a*l-o*f,e[7]=i*f-r*l,e[8]=r*o-i*a,e};Le.determinant=function(e){var t=e[0],r=e[1],i=e[2],n=e[3],a=e[4],o=e[5],s=e[6],f=e[7],l=e[8];return t*(l*a-o*f)+r*(-l*n+o*s)+i*(f*n-a*s)};Le.multiply=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=t[6],u=t[7],c=t[8],d=r[0],h=r[1],m=r[2],p=r[3],v=r[4],_=r[5],x=r[6],T=r[7],g=r[8];return e[0]=d*i+h*o+m*l,e[1]=d*n+h*s+m*u,e[2]=d*a+h*f+m*c,e[3]=p*i+v*o+_*l,e[4]=p*n+v*s+_*u,e[5]=p*a+v*f+_*c,e[6]=x*i+T*o+g*l,e[7]=x*n+T*s+g*u,e[8]=x*a+T*f+g*c,e};Le.mul=Le.multiply;Le.translate=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=t[6],u=t[7],c=t[8],d=r[0],h=r[1];return e[0]=i,e[1]=n,e[2]=a,e[3]=o,e[4]=s,e[5]=f,e[6]=d*i+h*o+l,e[7]=d*n+h*s+u,e[8]=d*a+h*f+c,e};Le.rotate=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=t[6],u=t[7],c=t[8],d=Math.sin(r),h=Math.cos(r);return e[0]=h*i+d*o,e[1]=h*n+d*s,e[2]=h*a+d*f,e[3]=h*o-d*i,e[4]=h*s-d*n,e[5]=h*f-d*a,e[6]=l,e[7]=u,e[8]=c,e};Le.scale=function(e,t,r){var i=r[0],n=r[1];return e[0]=i*t[0],e[1]=i*t[1],e[2]=i*t[2],e[3]=n*t[3],e[4]=n*t[4],e[5]=n*t[5],e[6]=t[6],e[7]=t[7],e[8]=t[8],e};Le.fromMat2d=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=0,e[3]=t[2],e[4]=t[3],e[5]=0,e[6]=t[4],e[7]=t[5],e[8]=1,e};Le.fromQuat=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=r+r,s=i+i,f=n+n,l=r*o,u=i*o,c=i*s,d=n*o,h=n*s,m=n*f,p=a*o,v=a*s,_=a*f;return e[0]=1-c-m,e[3]=u-_,e[6]=d+v,e[1]=u+_,e[4]=1-l-m,e[7]=h-p,e[2]=d-v,e[5]=h+p,e[8]=1-l-c,e};Le.normalFromMat4=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=t[6],l=t[7],u=t[8],c=t[9],d=t[10],h=t[11],m=t[12],p=t[13],v=t[14],_=t[15],x=r*s-i*o,T=r*f-n*o,g=r*l-a*o,E=i*f-n*s,A=i*l-a*s,R=n*l-a*f,w=u*p-c*m,D=u*v-d*m,W=u*_-h*m,P=c*v-d*p,H=c*_-h*p,F=d*_-h*v,B=x*F-T*H+g*P+E*W-A*D+R*w;return B?(B=1/B,e[0]=(s*F-f*H+l*P)*B,e[1]=(f*W-o*F-l*D)*B,e[2]=(o*H-s*W+l*w)*B,e[3]=(n*H-i*F-a*P)*B,e[4]=(r*F-n*W+a*D)*B,e[5]=(i*W-r*H-a*w)*B,e[6]=(p*R-v*A+_*E)*B,e[7]=(v*g-m*R-_*T)*B,e[8]=(m*A-p*g+_*x)*B,e):null};Le.frob=function(e){return Math.sqrt(Math.pow(e[0],2)+Math.pow(e[1],2)+Math.pow(e[2],2)+Math.pow(e[3],2)+Math.pow(e[4],2)+Math.pow(e[5],2)+Math.pow(e[6],2)+Math.pow(e[7],2)+Math.pow(e[8],2))};var K=Le;var re={};re.create=function(){var e=new he(4);return e[0]=0,e[1]=0,e[2]=0,e[3]=1,e};re.rotationTo=(function(){var e=y.create(),t=y.fromValues(1,0,0),r=y.fromValues(0,1,0);return function(i,n,a){var o=y.dot(n,a);return o<-.999999?(y.cross(e,t,n),y.length(e)<1e-6&&y.cross(e,r,n),y.normalize(e,e),re.setAxisAngle(i,e,Math.PI),i):o>.999999?(i[0]=0,i[1]=0,i[2]=0,i[3]=1,i):(y.cross(e,n,a),i[0]=e[0],i[1]=e[1],i[2]=e[2],i[3]=1+o,re.normalize(i,i))}})();re.setAxes=(function(){var e=K.create();return function(t,r,i,n){return e[0]=i[0],e[3]=i[1],e[6]=i[2],e[1]=n[0],e[4]=n[1],e[7]=n[2],e[2]=-r[0],e[5]=-r[1],e[8]=-r[2],re.normalize(t,re.fromMat3(t,e))}})();re.clone=M.clone;re.fromValues=M.fromValues;re.copy=M.copy;re.set=M.set;re.identity=function(e){return e[0]=0,e[1]=0,e[2]=0,e[3]=1,e};re.setAxisAngle=function(e,t,r){r=r*.5;var i=Math.sin(r);return e[0]=i*t[0],e[1]=i*t[1],e[2]=i*t[2],e[3]=Math.cos(r),e};re.add=M.add;re.multiply=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=r[0],f=r[1],l=r[2],u=r[3];return e[0]=i*u+o*s+n*l-a*f,e[1]=n*u+o*f+a*s-i*l,e[2]=a*u+o*l+i*f-n*s,e[3]=o*u-i*s-n*f-a*l,e};re.mul=re.multiply;re.scale=M.scale;re.rotateX=function(e,t,r){r*=.5;var i=t[0],n=t[1],a=t[2],o=t[3],s=Math.sin(r),f=Math.cos(r);return e[0]=i*f+o*s,e[1]=n*f+a*s,e[2]=a*f-n*s,e[3]=o*f-i*s,e};re.rotateY=function(e,t,r){r*=.5;var i=t[0],n=t[1],a=t[2],o=t[3],s=Math.sin(r),f=Math.cos(r);return e[0]=i*f-a*s,e[1]=n*f+o*s,e[2]=a*f+i*s,e[3]=o*f-n*s,e};re.rotateZ=function(e,t,r){r*=.5;var i=t[0],n=t[1],a=t[2],o=t[3],s=Math.sin(r),f=Math.cos(r);return e[0]=i*f+n*s,e[1]=n*f-i*s,e[2]=a*f+o*s,e[3]=o*f-a*s,e};re.calculateW=function(e,t){var r=t[0],i=t[1],n=t[2];return e[0]=r,e[1]=i,e[2]=n,e[3]=Math.sqrt(Math.abs(1-r*r-i*i-n*n)),e};re.dot=M.dot;re.lerp=M.lerp;re.slerp=function(e,t,r,i){var n=t[0],a=t[1],o=t[2],s=t[3],f=r[0],l=r[1],u=r[2],c=r[3],d,h,m,p,v;return h=n*f+a*l+o*u+s*c,h<0&&(h=-h,f=-f,l=-l,u=-u,c=-c),1-h>1e-6?(d=Math.acos(h),m=Math.sin(d),p=Math.sin((1-i)*d)/m,v=Math.sin(i*d)/m):(p=1-i,v=i),e[0]=p*n+v*f,e[1]=p*a+v*l,e[2]=p*o+v*u,e[3]=p*s+v*c,e};re.invert=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=r*r+i*i+n*n+a*a,s=o?1/o:0;return e[0]=-r*s,e[1]=-i*s,e[2]=-n*s,e[3]=a*s,e};re.conjugate=function(e,t){return e[0]=-t[0],e[1]=-t[1],e[2]=-t[2],e[3]=t[3],e};re.length=M.length;re.len=re.length;re.squaredLength=M.squaredLength;re.sqrLen=re.squaredLength;re.normalize=M.normalize;re.fromMat3=function(e,t){var r=t[0]+t[4]+t[8],i;if(r>0)i=Math.sqrt(r+1),e[3]=.5*i,i=.5/i,e[0]=(t[5]-t[7])*i,e[1]=(t[6]-t[2])*i,e[2]=(t[1]-t[3])*i;else{var n=0;t[4]>t[0]&&(n=1),t[8]>t[n*3+n]&&(n=2);var a=(n+1)%3,o=(n+2)%3;i=Math.sqrt(t[n*3+n]-t[a*3+a]-t[o*3+o]+1),e[n]=.5*i,i=.5/i,e[3]=(t[a*3+o]-t[o*3+a])*i,e[a]=(t[a*3+n]+t[n*3+a])*i,e[o]=(t[o*3+n]+t[n*3+o])*i}return e};var G=re;var ae=function(e,t,r,i){e=e||0,t=t||0,r=r||0,i=i===void 0?1:i,this.array=G.fromValues(e,t,r,i),this._dirty=!0};ae.prototype={constructor:ae,add:function(e){return G.add(this.array,this.array,e.array),this._dirty=!0,this},calculateW:function(){return G.calculateW(this.array,this.array),this._dirty=!0,this},set:function(e,t,r,i){return this.array[0]=e,this.array[1]=t,this.array[2]=r,this.array[3]=i,this._dirty=!0,this},setArray:function(e){return this.array[0]=e[0],this.array[1]=e[1],this.array[2]=e[2],this.array[3]=e[3],this._dirty=!0,this},clone:function(){return new ae(this.x,this.y,this.z,this.w)},conjugate:function(){return G.conjugate(this.array,this.array),this._dirty=!0,this},copy:function(e){return G.copy(this.array,e.array),this._dirty=!0,this},dot:function(e){return G.dot(this.array,e.array)},fromMat3:function(e){return G.fromMat3(this.array,e.array),this._dirty=!0,this},fromMat4:(function(){var e=K.create();return function(t){return K.fromMat4(e,t.array),K.transpose(e,e),G.fromMat3(this.array,e),this._dirty=!0,this}})(),identity:function(){return G.identity(this.array),this._dirty=!0,this},invert:function(){return G.invert(this.array,this.array),this._dirty=!0,this},len:function(){return G.len(this.array)},length:function(){return G.length(this.array)},lerp:function(e,t,r){return G.lerp(this.array,e.array,t.array,r),this._dirty=!0,this},mul:function(e){return G.mul(this.array,this.array,e.array),this._dirty=!0,this},mulLeft:function(e){return G.multiply(this.array,e.array,this.array),this._dirty=!0,this},multiply:function(e){return G.multiply(this.array,this.array,e.array),this._dirty=!0,this},multiplyLeft:function(e){return G.multiply(this.array,e.array,this.array),this._dirty=!0,this},normalize:function(){return G.normalize(this.array,this.array),this._dirty=!0,this},rotateX:function(e){return G.rotateX(this.array,this.array,e),this._dirty=!0,this},rotateY:function(e){return G.rotateY(this.array,this.array,e),this._dirty=!0,this},rotateZ:function(e){return G.rotateZ(this.array,this.array,e),this._dirty=!0,this},rotationTo:function(e,t){return G.rotationTo(this.array,e.array,t.array),this._dirty=!0,this},setAxes:function(e,t,r){return G.setAxes(this.array,e.array,t.array,r.array),this._dirty=!0,this},setAxisAngle:function(e,t){return G.setAxisAngle(this.array,e.array,t),this._dirty=!0,this},slerp:function(e,t,r){return G.slerp(this.array,e.array,t.array,r),this._dirty=!0,this},sqrLen:function(){return G.sqrLen(this.array)},squaredLength:function(){return G.squaredLength(this.array)},fromEuler:function(e,t){return ae.fromEuler(this,e,t)},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};var Vr=Object.defineProperty;Vr&&(kr=ae.prototype,Vr(kr,"x",{get:function(){return this.array[0]},set:function(e){this.array[0]=e,this._dirty=!0}}),Vr(kr,"y",{get:function(){return this.array[1]},set:function(e){this.array[1]=e,this._dirty=!0}}),Vr(kr,"z",{get:function(){return this.array[2]},set:function(e){this.array[2]=e,this._dirty=!0}}),Vr(kr,"w",{get:function(){return this.array[3]},set:function(e){this.array[3]=e,this._dirty=!0}}));var kr;ae.add=function(e,t,r){return G.add(e.array,t.array,r.array),e._dirty=!0,e};ae.set=function(e,t,r,i,n){G.set(e.array,t,r,i,n),e._dirty=!0};ae.copy=function(e,t){return G.copy(e.array,t.array),e._dirty=!0,e};ae.calculateW=function(e,t){return G.calculateW(e.array,t.array),e._dirty=!0,e};ae.conjugate=function(e,t){return G.conjugate(e.array,t.array),e._dirty=!0,e};ae.identity=function(e){return G.identity(e.array),e._dirty=!0,e};ae.invert=function(e,t){return G.invert(e.array,t.array),e._dirty=!0,e};ae.dot=function(e,t){return G.dot(e.array,t.array)};ae.len=function(e){return G.length(e.array)};ae.lerp=function(e,t,r,i){return G.lerp(e.array,t.array,r.array,i),e._dirty=!0,e};ae.slerp=function(e,t,r,i){return G.slerp(e.array,t.array,r.array,i),e._dirty=!0,e};ae.mul=function(e,t,r){return G.multiply(e.array,t.array,r.array),e._dirty=!0,e};ae.multiply=ae.mul;ae.rotateX=function(e,t,r){return G.rotateX(e.array,t.array,r),e._dirty=!0,e};ae.rotateY=function(e,t,r){return G.rotateY(e.array,t.array,r),e._dirty=!0,e};ae.rotateZ=function(e,t,r){return G.rotateZ(e.array,t.array,r),e._dirty=!0,e};ae.setAxisAngle=function(e,t,r){return G.setAxisAngle(e.array,t.array,r),e._dirty=!0,e};ae.normalize=function(e,t){return G.normalize(e.array,t.array),e._dirty=!0,e};ae.sqrLen=function(e){return G.sqrLen(e.array)};ae.squaredLength=ae.sqrLen;ae.fromMat3=function(e,t){return G.fromMat3(e.array,t.array),e._dirty=!0,e};ae.setAxes=function(e,t,r,i){return G.setAxes(e.array,t.array,r.array,i.array),e._dirty=!0,e};ae.rotationTo=function(e,t,r){return G.rotationTo(e.array,t.array,r.array),e._dirty=!0,e};ae.fromEuler=function(e,t,u){e._dirty=!0,t=t.array;var i=e.array,n=Math.cos(t[0]/2),a=Math.cos(t[1]/2),o=Math.cos(t[2]/2),s=Math.sin(t[0]/2),f=Math.sin(t[1]/2),l=Math.sin(t[2]/2),u=(u||"XYZ").toUpperCase();switch(u){case"XYZ":i[0]=s*a*o+n*f*l,i[1]=n*f*o-s*a*l,i[2]=n*a*l+s*f*o,i[3]=n*a*o-s*f*l;break;case"YXZ":i[0]=s*a*o+n*f*l,i[1]=n*f*o-s*a*l,i[2]=n*a*l-s*f*o,i[3]=n*a*o+s*f*l;break;case"ZXY":i[0]=s*a*o-n*f*l,i[1]=n*f*o+s*a*l,i[2]=n*a*l+s*f*o,i[3]=n*a*o-s*f*l;break;case"ZYX":i[0]=s*a*o-n*f*l,i[1]=n*f*o+s*a*l,i[2]=n*a*l-s*f*o,i[3]=n*a*o+s*f*l;break;case"YZX":i[0]=s*a*o+n*f*l,i[1]=n*f*o+s*a*l,i[2]=n*a*l-s*f*o,i[3]=n*a*o-s*f*l;break;case"XZY":i[0]=s*a*o-n*f*l,i[1]=n*f*o-s*a*l,i[2]=n*a*l+s*f*o,i[3]=n*a*o+s*f*l;break}};var di=ae;var se={};se.create=function(){var e=new he(16);return e[0]=1,e[1]=0,e[2]=0,e[3]=0,e[4]=0,e[5]=1,e[6]=0,e[7]=0,e[8]=0,e[9]=0,e[10]=1,e[11]=0,e[12]=0,e[13]=0,e[14]=0,e[15]=1,e};se.clone=function(e){var t=new he(16);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3],t[4]=e[4],t[5]=e[5],t[6]=e[6],t[7]=e[7],t[8]=e[8],t[9]=e[9],t[10]=e[10],t[11]=e[11],t[12]=e[12],t[13]=e[13],t[14]=e[14],t[15]=e[15],t};se.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e[4]=t[4],e[5]=t[5],e[6]=t[6],e[7]=t[7],e[8]=t[8],e[9]=t[9],e[10]=t[10],e[11]=t[11],e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15],e};se.identity=function(e){return e[0]=1,e[1]=0,e[2]=0,e[3]=0,e[4]=0,e[5]=1,e[6]=0,e[7]=0,e[8]=0,e[9]=0,e[10]=1,e[11]=0,e[12]=0,e[13]=0,e[14]=0,e[15]=1,e};se.transpose=function(e,t){if(e===t){var r=t[1],i=t[2],n=t[3],a=t[6],o=t[7],s=t[11];e[1]=t[4],e[2]=t[8],e[3]=t[12],e[4]=r,e[6]=t[9],e[7]=t[13],e[8]=i,e[9]=a,e[11]=t[14],e[12]=n,e[13]=o,e[14]=s}else e[0]=t[0],e[1]=t[4],e[2]=t[8],e[3]=t[12],e[4]=t[1],e[5]=t[5],e[6]=t[9],e[7]=t[13],e[8]=t[2],e[9]=t[6],e[10]=t[10],e[11]=t[14],e[12]=t[3],e[13]=t[7],e[14]=t[11],e[15]=t[15];return e};se.invert=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=t[6],l=t[7],u=t[8],c=t[9],d=t[10],h=t[11],m=t[12],p=t[13],v=t[14],_=t[15],x=r*s-i*o,T=r*f-n*o,g=r*l-a*o,E=i*f-n*s,A=i*l-a*s,R=n*l-a*f,w=u*p-c*m,D=u*v-d*m,W=u*_-h*m,P=c*v-d*p,H=c*_-h*p,F=d*_-h*v,B=x*F-T*H+g*P+E*W-A*D+R*w;return B?(B=1/B,e[0]=(s*F-f*H+l*P)*B,e[1]=(n*H-i*F-a*P)*B,e[2]=(p*R-v*A+_*E)*B,e[3]=(d*A-c*R-h*E)*B,e[4]=(f*W-o*F-l*D)*B,e[5]=(r*F-n*W+a*D)*B,e[6]=(v*g-m*R-_*T)*B,e[7]=(u*R-d*g+h*T)*B,e[8]=(o*H-s*W+l*w)*B,e[9]=(i*W-r*H-a*w)*B,e[10]=(m*A-p*g+_*x)*B,e[11]=(c*g-u*A-h*x)*B,e[12]=(s*D-o*P-f*w)*B,e[13]=(r*P-i*D+n*w)*B,e[14]=(p*T-m*E-v*x)*B,e[15]=(u*E-c*T+d*x)*B,e):null};se.adjoint=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=t[6],l=t[7],u=t[8],c=t[9],d=t[10],h=t[11],m=t[12],p=t[13],v=t[14],_=t[15];return e[0]=s*(d*_-h*v)-c*(f*_-l*v)+p*(f*h-l*d),e[1]=-(i*(d*_-h*v)-c*(n*_-a*v)+p*(n*h-a*d)),e[2]=i*(f*_-l*v)-s*(n*_-a*v)+p*(n*l-a*f),e[3]=-(i*(f*h-l*d)-s*(n*h-a*d)+c*(n*l-a*f)),e[4]=-(o*(d*_-h*v)-u*(f*_-l*v)+m*(f*h-l*d)),e[5]=r*(d*_-h*v)-u*(n*_-a*v)+m*(n*h-a*d),e[6]=-(r*(f*_-l*v)-o*(n*_-a*v)+m*(n*l-a*f)),e[7]=r*(f*h-l*d)-o*(n*h-a*d)+u*(n*l-a*f),e[8]=o*(c*_-h*p)-u*(s*_-l*p)+m*(s*h-l*c),e[9]=-(r*(c*_-h*p)-u*(i*_-a*p)+m*(i*h-a*c)),e[10]=r*(s*_-l*p)-o*(i*_-a*p)+m*(i*l-a*s),e[11]=-(r*(s*h-l*c)-o*(i*h-a*c)+u*(i*l-a*s)),e[12]=-(o*(c*v-d*p)-u*(s*v-f*p)+m*(s*d-f*c)),e[13]=r*(c*v-d*p)-u*(i*v-n*p)+m*(i*d-n*c),e[14]=-(r*(s*v-f*p)-o*(i*v-n*p)+m*(i*f-n*s)),e[15]=r*(s*d-f*c)-o*(i*d-n*c)+u*(i*f-n*s),e};se.determinant=function(e){var t=e[0],r=e[1],i=e[2],n=e[3],a=e[4],o=e[5],s=e[6],f=e[7],l=e[8],u=e[9],c=e[10],d=e[11],h=e[12],m=e[13],p=e[14],v=e[15],_=t*o-r*a,x=t*s-i*a,T=t*f-n*a,g=r*s-i*o,E=r*f-n*o,A=i*f-n*s,R=l*m-u*h,w=l*p-c*h,D=l*v-d*h,W=u*p-c*m,P=u*v-d*m,H=c*v-d*p;return _*H-x*P+T*W+g*D-E*w+A*R};se.multiply=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=t[6],u=t[7],c=t[8],d=t[9],h=t[10],m=t[11],p=t[12],v=t[13],_=t[14],x=t[15],T=r[0],g=r[1],E=r[2],A=r[3];return e[0]=T*i+g*s+E*c+A*p,e[1]=T*n+g*f+E*d+A*v,e[2]=T*a+g*l+E*h+A*_,e[3]=T*o+g*u+E*m+A*x,T=r[4],g=r[5],E=r[6],A=r[7],e[4]=T*i+g*s+E*c+A*p,e[5]=T*n+g*f+E*d+A*v,e[6]=T*a+g*l+E*h+A*_,e[7]=T*o+g*u+E*m+A*x,T=r[8],g=r[9],E=r[10],A=r[11],e[8]=T*i+g*s+E*c+A*p,e[9]=T*n+g*f+E*d+A*v,e[10]=T*a+g*l+E*h+A*_,e[11]=T*o+g*u+E*m+A*x,T=r[12],g=r[13],E=r[14],A=r[15],e[12]=T*i+g*s+E*c+A*p,e[13]=T*n+g*f+E*d+A*v,e[14]=T*a+g*l+E*h+A*_,e[15]=T*o+g*u+E*m+A*x,e};se.multiplyAffine=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[4],s=t[5],f=t[6],l=t[8],u=t[9],c=t[10],d=t[12],h=t[13],m=t[14],p=r[0],v=r[1],_=r[2];return e[0]=p*i+v*o+_*l,e[1]=p*n+v*s+_*u,e[2]=p*a+v*f+_*c,p=r[4],v=r[5],_=r[6],e[4]=p*i+v*o+_*l,e[5]=p*n+v*s+_*u,e[6]=p*a+v*f+_*c,p=r[8],v=r[9],_=r[10],e[8]=p*i+v*o+_*l,e[9]=p*n+v*s+_*u,e[10]=p*a+v*f+_*c,p=r[12],v=r[13],_=r[14],e[12]=p*i+v*o+_*l+d,e[13]=p*n+v*s+_*u+h,e[14]=p*a+v*f+_*c+m,e};se.mul=se.multiply;se.mulAffine=se.multiplyAffine;se.translate=function(e,t,r){var i=r[0],n=r[1],a=r[2],o,s,f,l,u,c,d,h,m,p,v,_;return t===e?(e[12]=t[0]*i+t[4]*n+t[8]*a+t[12],e[13]=t[1]*i+t[5]*n+t[9]*a+t[13],e[14]=t[2]*i+t[6]*n+t[10]*a+t[14],e[15]=t[3]*i+t[7]*n+t[11]*a+t[15]):(o=t[0],s=t[1],f=t[2],l=t[3],u=t[4],c=t[5],d=t[6],h=t[7],m=t[8],p=t[9],v=t[10],_=t[11],e[0]=o,e[1]=s,e[2]=f,e[3]=l,e[4]=u,e[5]=c,e[6]=d,e[7]=h,e[8]=m,e[9]=p,e[10]=v,e[11]=_,e[12]=o*i+u*n+m*a+t[12],e[13]=s*i+c*n+p*a+t[13],e[14]=f*i+d*n+v*a+t[14],e[15]=l*i+h*n+_*a+t[15]),e};se.scale=function(e,t,r){var i=r[0],n=r[1],a=r[2];return e[0]=t[0]*i,e[1]=t[1]*i,e[2]=t[2]*i,e[3]=t[3]*i,e[4]=t[4]*n,e[5]=t[5]*n,e[6]=t[6]*n,e[7]=t[7]*n,e[8]=t[8]*a,e[9]=t[9]*a,e[10]=t[10]*a,e[11]=t[11]*a,e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15],e};se.rotate=function(e,t,r,i){var n=i[0],a=i[1],o=i[2],s=Math.sqrt(n*n+a*a+o*o),f,l,u,c,d,h,m,p,v,_,x,T,g,E,A,R,w,D,W,P,H,F,B,z;return Math.abs(s)<zr?null:(s=1/s,n*=s,a*=s,o*=s,f=Math.sin(r),l=Math.cos(r),u=1-l,c=t[0],d=t[1],h=t[2],m=t[3],p=t[4],v=t[5],_=t[6],x=t[7],T=t[8],g=t[9],E=t[10],A=t[11],R=n*n*u+l,w=a*n*u+o*f,D=o*n*u-a*f,W=n*a*u-o*f,P=a*a*u+l,H=o*a*u+n*f,F=n*o*u+a*f,B=a*o*u-n*f,z=o*o*u+l,e[0]=c*R+p*w+T*D,e[1]=d*R+v*w+g*D,e[2]=h*R+_*w+E*D,e[3]=m*R+x*w+A*D,e[4]=c*W+p*P+T*H,e[5]=d*W+v*P+g*H,e[6]=h*W+_*P+E*H,e[7]=m*W+x*P+A*H,e[8]=c*F+p*B+T*z,e[9]=d*F+v*B+g*z,e[10]=h*F+_*B+E*z,e[11]=m*F+x*B+A*z,t!==e&&(e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15]),e)};se.rotateX=function(e,t,r){var i=Math.sin(r),n=Math.cos(r),a=t[4],o=t[5],s=t[6],f=t[7],l=t[8],u=t[9],c=t[10],d=t[11];return t!==e&&(e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15]),e[4]=a*n+l*i,e[5]=o*n+u*i,e[6]=s*n+c*i,e[7]=f*n+d*i,e[8]=l*n-a*i,e[9]=u*n-o*i,e[10]=c*n-s*i,e[11]=d*n-f*i,e};se.rotateY=function(e,t,r){var i=Math.sin(r),n=Math.cos(r),a=t[0],o=t[1],s=t[2],f=t[3],l=t[8],u=t[9],c=t[10],d=t[11];return t!==e&&(e[4]=t[4],e[5]=t[5],e[6]=t[6],e[7]=t[7],e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15]),e[0]=a*n-l*i,e[1]=o*n-u*i,e[2]=s*n-c*i,e[3]=f*n-d*i,e[8]=a*i+l*n,e[9]=o*i+u*n,e[10]=s*i+c*n,e[11]=f*i+d*n,e};se.rotateZ=function(e,t,r){var i=Math.sin(r),n=Math.cos(r),a=t[0],o=t[1],s=t[2],f=t[3],l=t[4],u=t[5],c=t[6],d=t[7];return t!==e&&(e[8]=t[8],e[9]=t[9],e[10]=t[10],e[11]=t[11],e[12]=t[12],e[13]=t[13],e[14]=t[14],e[15]=t[15]),e[0]=a*n+l*i,e[1]=o*n+u*i,e[2]=s*n+c*i,e[3]=f*n+d*i,e[4]=l*n-a*i,e[5]=u*n-o*i,e[6]=c*n-s*i,e[7]=d*n-f*i,e};se.fromRotationTranslation=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=i+i,f=n+n,l=a+a,u=i*s,c=i*f,d=i*l,h=n*f,m=n*l,p=a*l,v=o*s,_=o*f,x=o*l;return e[0]=1-(h+p),e[1]=c+x,e[2]=d-_,e[3]=0,e[4]=c-x,e[5]=1-(u+p),e[6]=m+v,e[7]=0,e[8]=d+_,e[9]=m-v,e[10]=1-(u+h),e[11]=0,e[12]=r[0],e[13]=r[1],e[14]=r[2],e[15]=1,e};se.fromQuat=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=r+r,s=i+i,f=n+n,l=r*o,u=i*o,c=i*s,d=n*o,h=n*s,m=n*f,p=a*o,v=a*s,_=a*f;return e[0]=1-c-m,e[1]=u+_,e[2]=d-v,e[3]=0,e[4]=u-_,e[5]=1-l-m,e[6]=h+p,e[7]=0,e[8]=d+v,e[9]=h-p,e[10]=1-l-c,e[11]=0,e[12]=0,e[13]=0,e[14]=0,e[15]=1,e};se.frustum=function(e,t,r,i,n,a,o){var s=1/(r-t),f=1/(n-i),l=1/(a-o);return e[0]=a*2*s,e[1]=0,e[2]=0,e[3]=0,e[4]=0,e[5]=a*2*f,e[6]=0,e[7]=0,e[8]=(r+t)*s,e[9]=(n+i)*f,e[10]=(o+a)*l,e[11]=-1,e[12]=0,e[13]=0,e[14]=o*a*2*l,e[15]=0,e};se.perspective=function(e,t,r,i,n){var a=1/Math.tan(t/2),o=1/(i-n);return e[0]=a/r,e[1]=0,e[2]=0,e[3]=0,e[4]=0,e[5]=a,e[6]=0,e[7]=0,e[8]=0,e[9]=0,e[10]=(n+i)*o,e[11]=-1,e[12]=0,e[13]=0,e[14]=2*n*i*o,e[15]=0,e};se.ortho=function(e,t,r,i,n,a,o){var s=1/(t-r),f=1/(i-n),l=1/(a-o);return e[0]=-2*s,e[1]=0,e[2]=0,e[3]=0,e[4]=0,e[5]=-2*f,e[6]=0,e[7]=0,e[8]=0,e[9]=0,e[10]=2*l,e[11]=0,e[12]=(t+r)*s,e[13]=(n+i)*f,e[14]=(o+a)*l,e[15]=1,e};se.lookAt=function(e,t,r,i){var n,a,o,s,f,l,u,c,d,h,m=t[0],p=t[1],v=t[2],_=i[0],x=i[1],T=i[2],g=r[0],E=r[1],A=r[2];return Math.abs(m-g)<zr&&Math.abs(p-E)<zr&&Math.abs(v-A)<zr?se.identity(e):(u=m-g,c=p-E,d=v-A,h=1/Math.sqrt(u*u+c*c+d*d),u*=h,c*=h,d*=h,n=x*d-T*c,a=T*u-_*d,o=_*c-x*u,h=Math.sqrt(n*n+a*a+o*o),h?(h=1/h,n*=h,a*=h,o*=h):(n=0,a=0,o=0),s=c*o-d*a,f=d*n-u*o,l=u*a-c*n,h=Math.sqrt(s*s+f*f+l*l),h?(h=1/h,s*=h,f*=h,l*=h):(s=0,f=0,l=0),e[0]=n,e[1]=s,e[2]=u,e[3]=0,e[4]=a,e[5]=f,e[6]=c,e[7]=0,e[8]=o,e[9]=l,e[10]=d,e[11]=0,e[12]=-(n*m+a*p+o*v),e[13]=-(s*m+f*p+l*v),e[14]=-(u*m+c*p+d*v),e[15]=1,e)};se.frob=function(e){return Math.sqrt(Math.pow(e[0],2)+Math.pow(e[1],2)+Math.pow(e[2],2)+Math.pow(e[3],2)+Math.pow(e[4],2)+Math.pow(e[5],2)+Math.pow(e[6],2)+Math.pow(e[7],2)+Math.pow(e[8],2)+Math.pow(e[9],2)+Math.pow(e[10],2)+Math.pow(e[11],2)+Math.pow(e[12],2)+Math.pow(e[13],2)+Math.pow(e[14],2)+Math.pow(e[15],2))};var L=se;var ce=function(){this._axisX=new C,this._axisY=new C,this._axisZ=new C,this.array=L.create(),this._dirty=!0};ce.prototype={constructor:ce,setArray:function(e){for(var t=0;t<this.array.length;t++)this.array[t]=e[t];return this._dirty=!0,this},adjoint:function(){return L.adjoint(this.array,this.array),this._dirty=!0,this},clone:function(){return new ce().copy(this)},copy:function(e){return L.copy(this.array,e.array),this._dirty=!0,this},determinant:function(){return L.determinant(this.array)},fromQuat:function(e){return L.fromQuat(this.array,e.array),this._dirty=!0,this},fromRotationTranslation:function(e,t){return L.fromRotationTranslation(this.array,e.array,t.array),this._dirty=!0,this},fromMat2d:function(e){return ce.fromMat2d(this,e),this},frustum:function(e,t,r,i,n,a){return L.frustum(this.array,e,t,r,i,n,a),this._dirty=!0,this},identity:function(){return L.identity(this.array),this._dirty=!0,this},invert:function(){return L.invert(this.array,this.array),this._dirty=!0,this},lookAt:function(e,t,r){return L.lookAt(this.array,e.array,t.array,r.array),this._dirty=!0,this},mul:function(e){return L.mul(this.array,this.array,e.array),this._dirty=!0,this},mulLeft:function(e){return L.mul(this.array,e.array,this.array),this._dirty=!0,this},multiply:function(e){return L.multiply(this.array,this.array,e.array),this._dirty=!0,this},multiplyLeft:function(e){return L.multiply(this.array,e.array,this.array),this._dirty=!0,this},ortho:function(e,t,r,i,n,a){return L.ortho(this.array,e,t,r,i,n,a),this._dirty=!0,this},perspective:function(e,t,r,i){return L.perspective(this.array,e,t,r,i),this._dirty=!0,this},rotate:function(e,t){return L.rotate(this.array,this.array,e,t.array),this._dirty=!0,this},rotateX:function(e){return L.rotateX(this.array,this.array,e),this._dirty=!0,this},rotateY:function(e){return L.rotateY(this.array,this.array,e),this._dirty=!0,this},rotateZ:function(e){return L.rotateZ(this.array,this.array,e),this._dirty=!0,this},scale:function(e){return L.scale(this.array,this.array,e.array),this._dirty=!0,this},translate:function(e){return L.translate(this.array,this.array,e.array),this._dirty=!0,this},transpose:function(){return L.transpose(this.array,this.array),this._dirty=!0,this},decomposeMatrix:(function(){var e=y.create(),t=y.create(),r=y.create(),i=K.create();return function(n,a,o){var s=this.array;y.set(e,s[0],s[1],s[2]),y.set(t,s[4],s[5],s[6]),y.set(r,s[8],s[9],s[10]);var f=y.length(e),l=y.length(t),u=y.length(r),c=this.determinant();c<0&&(f=-f),n&&n.set(f,l,u),o.set(s[12],s[13],s[14]),K.fromMat4(i,s),i[0]/=f,i[1]/=f,i[2]/=f,i[3]/=l,i[4]/=l,i[5]/=l,i[6]/=u,i[7]/=u,i[8]/=u,G.fromMat3(a.array,i),G.normalize(a.array,a.array),a._dirty=!0,o._dirty=!0}})(),toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};var mi=Object.defineProperty;mi&&(pi=ce.prototype,mi(pi,"z",{get:function(){var e=this.array;return this._axisZ.set(e[8],e[9],e[10]),this._axisZ},set:function(e){var t=this.array;e=e.array,t[8]=e[0],t[9]=e[1],t[10]=e[2],this._dirty=!0}}),mi(pi,"y",{get:function(){var e=this.array;return this._axisY.set(e[4],e[5],e[6]),this._axisY},set:function(e){var t=this.array;e=e.array,t[4]=e[0],t[5]=e[1],t[6]=e[2],this._dirty=!0}}),mi(pi,"x",{get:function(){var e=this.array;return this._axisX.set(e[0],e[1],e[2]),this._axisX},set:function(e){var t=this.array;e=e.array,t[0]=e[0],t[1]=e[1],t[2]=e[2],this._dirty=!0}}));var pi;ce.adjoint=function(e,t){return L.adjoint(e.array,t.array),e._dirty=!0,e};ce.copy=function(e,t){return L.copy(e.array,t.array),e._dirty=!0,e};ce.determinant=function(e){return L.determinant(e.array)};ce.identity=function(e){return L.identity(e.array),e._dirty=!0,e};ce.ortho=function(e,t,r,i,n,a,o){return L.ortho(e.array,t,r,i,n,a,o),e._dirty=!0,e};ce.perspective=function(e,t,r,i,n){return L.perspective(e.array,t,r,i,n),e._dirty=!0,e};ce.lookAt=function(e,t,r,i){return L.lookAt(e.array,t.array,r.array,i.array),e._dirty=!0,e};ce.invert=function(e,t){return L.invert(e.array,t.array),e._dirty=!0,e};ce.mul=function(e,t,r){return L.mul(e.array,t.array,r.array),e._dirty=!0,e};ce.multiply=ce.mul;ce.fromQuat=function(e,t){return L.fromQuat(e.array,t.array),e._dirty=!0,e};ce.fromRotationTranslation=function(e,t,r){return L.fromRotationTranslation(e.array,t.array,r.array),e._dirty=!0,e};ce.fromMat2d=function(i,r){i._dirty=!0;var r=r.array,i=i.array;return i[0]=r[0],i[4]=r[2],i[12]=r[4],i[1]=r[1],i[5]=r[3],i[13]=r[5],i};ce.rotate=function(e,t,r,i){return L.rotate(e.array,t.array,r,i.array),e._dirty=!0,e};ce.rotateX=function(e,t,r){return L.rotateX(e.array,t.array,r),e._dirty=!0,e};ce.rotateY=function(e,t,r){return L.rotateY(e.array,t.array,r),e._dirty=!0,e};ce.rotateZ=function(e,t,r){return L.rotateZ(e.array,t.array,r),e._dirty=!0,e};ce.scale=function(e,t,r){return L.scale(e.array,t.array,r.array),e._dirty=!0,e};ce.transpose=function(e,t){return L.transpose(e.array,t.array),e._dirty=!0,e};ce.translate=function(e,t,r){return L.translate(e.array,t.array,r.array),e._dirty=!0,e};var O=ce;var Bt=y.set,vi=y.copy,_i=function(e,t){this.min=e||new C(1/0,1/0,1/0),this.max=t||new C(-1/0,-1/0,-1/0),this.vertices=null};_i.prototype={constructor:_i,updateFromVertices:function(e){if(e.length>0){var t=this.min,r=this.max,i=t.array,n=r.array;vi(i,e[0]),vi(n,e[0]);for(var a=1;a<e.length;a++){var o=e[a];o[0]<i[0]&&(i[0]=o[0]),o[1]<i[1]&&(i[1]=o[1]),o[2]<i[2]&&(i[2]=o[2]),o[0]>n[0]&&(n[0]=o[0]),o[1]>n[1]&&(n[1]=o[1]),o[2]>n[2]&&(n[2]=o[2])}t._dirty=!0,r._dirty=!0}},union:function(e){var t=this.min,r=this.max;return y.min(t.array,t.array,e.min.array),y.max(r.array,r.array,e.max.array),t._dirty=!0,r._dirty=!0,this},intersection:function(e){var t=this.min,r=this.max;return y.max(t.array,t.array,e.min.array),y.min(r.array,r.array,e.max.array),t._dirty=!0,r._dirty=!0,this},intersectBoundingBox:function(e){var t=this.min.array,r=this.max.array,i=e.min.array,n=e.max.array;return!(t[0]>n[0]||t[1]>n[1]||t[2]>n[2]||r[0]<i[0]||r[1]<i[1]||r[2]<i[2])},containBoundingBox:function(e){var t=this.min.array,r=this.max.array,i=e.min.array,n=e.max.array;return t[0]<=i[0]&&t[1]<=i[1]&&t[2]<=i[2]&&r[0]>=n[0]&&r[1]>=n[1]&&r[2]>=n[2]},containPoint:function(e){var t=this.min.array,r=this.max.array,i=e.array;return t[0]<=i[0]&&t[1]<=i[1]&&t[2]<=i[2]&&r[0]>=i[0]&&r[1]>=i[1]&&r[2]>=i[2]},isFinite:function(){var e=this.min.array,t=this.max.array;return isFinite(e[0])&&isFinite(e[1])&&isFinite(e[2])&&isFinite(t[0])&&isFinite(t[1])&&isFinite(t[2])},applyTransform:function(e){this.transformFrom(this,e)},transformFrom:(function(){var e=y.create(),t=y.create(),r=y.create(),i=y.create(),n=y.create(),a=y.create();return function(o,s){var f=o.min.array,l=o.max.array,u=s.array;return e[0]=u[0]*f[0],e[1]=u[1]*f[0],e[2]=u[2]*f[0],t[0]=u[0]*l[0],t[1]=u[1]*l[0],t[2]=u[2]*l[0],r[0]=u[4]*f[1],r[1]=u[5]*f[1],r[2]=u[6]*f[1],i[0]=u[4]*l[1],i[1]=u[5]*l[1],i[2]=u[6]*l[1],n[0]=u[8]*f[2],n[1]=u[9]*f[2],n[2]=u[10]*f[2],a[0]=u[8]*l[2],a[1]=u[9]*l[2],a[2]=u[10]*l[2],f=this.min.array,l=this.max.array,f[0]=Math.min(e[0],t[0])+Math.min(r[0],i[0])+Math.min(n[0],a[0])+u[12],f[1]=Math.min(e[1],t[1])+Math.min(r[1],i[1])+Math.min(n[1],a[1])+u[13],f[2]=Math.min(e[2],t[2])+Math.min(r[2],i[2])+Math.min(n[2],a[2])+u[14],l[0]=Math.max(e[0],t[0])+Math.max(r[0],i[0])+Math.max(n[0],a[0])+u[12],l[1]=Math.max(e[1],t[1])+Math.max(r[1],i[1])+Math.max(n[1],a[1])+u[13],l[2]=Math.max(e[2],t[2])+Math.max(r[2],i[2])+Math.max(n[2],a[2])+u[14],this.min._dirty=!0,this.max._dirty=!0,this}})(),applyProjection:function(e){var t=this.min.array,r=this.max.array,i=e.array,n=t[0],a=t[1],o=t[2],s=r[0],f=r[1],l=t[2],u=r[0],c=r[1],d=r[2];if(i[15]===1)t[0]=i[0]*n+i[12],t[1]=i[5]*a+i[13],r[2]=i[10]*o+i[14],r[0]=i[0]*u+i[12],r[1]=i[5]*c+i[13],t[2]=i[10]*d+i[14];else{var h=-1/o;t[0]=i[0]*n*h,t[1]=i[5]*a*h,r[2]=(i[10]*o+i[14])*h,h=-1/l,r[0]=i[0]*s*h,r[1]=i[5]*f*h,h=-1/d,t[2]=(i[10]*d+i[14])*h}return this.min._dirty=!0,this.max._dirty=!0,this},updateVertices:function(){var e=this.vertices;if(!e){e=[];for(var t=0;t<8;t++)e[t]=y.fromValues(0,0,0);this.vertices=e}var r=this.min.array,i=this.max.array;return Bt(e[0],r[0],r[1],r[2]),Bt(e[1],r[0],i[1],r[2]),Bt(e[2],i[0],r[1],r[2]),Bt(e[3],i[0],i[1],r[2]),Bt(e[4],r[0],r[1],i[2]),Bt(e[5],r[0],i[1],i[2]),Bt(e[6],i[0],r[1],i[2]),Bt(e[7],i[0],i[1],i[2]),this},copy:function(e){var t=this.min,r=this.max;return vi(t.array,e.min.array),vi(r.array,e.max.array),t._dirty=!0,r._dirty=!0,this},clone:function(){var e=new _i;return e.copy(this),e}};var xe=_i;var Du=0,Mu=le.extend({name:"",position:null,rotation:null,scale:null,worldTransform:null,localTransform:null,autoUpdateLocalTransform:!0,_parent:null,_scene:null,_needsUpdateWorldTransform:!0,_inIterating:!1,__depth:0},function(){this.name||(this.name=(this.type||"NODE")+"_"+Du++),this.position||(this.position=new C),this.rotation||(this.rotation=new di),this.scale||(this.scale=new C(1,1,1)),this.worldTransform=new O,this.localTransform=new O,this._children=[]},{target:null,invisible:!1,isSkinnedMesh:function(){return!1},isRenderable:function(){return!1},setName:function(e){var t=this._scene;if(t){var r=t._nodeRepository;delete r[this.name],r[e]=this}this.name=e},add:function(e){var t=e._parent;if(t!==this){t&&t.remove(e),e._parent=this,this._children.push(e);var r=this._scene;r&&r!==e.scene&&e.traverse(this._addSelfToScene,this),e._needsUpdateWorldTransform=!0}},remove:function(e){var t=this._children,r=t.indexOf(e);r<0||(t.splice(r,1),e._parent=null,this._scene&&e.traverse(this._removeSelfFromScene,this))},removeAll:function(){for(var e=this._children,t=0;t<e.length;t++)e[t]._parent=null,this._scene&&e[t].traverse(this._removeSelfFromScene,this);this._children=[]},getScene:function(){return this._scene},getParent:function(){return this._parent},_removeSelfFromScene:function(e){e._scene.removeFromScene(e),e._scene=null},_addSelfToScene:function(e){this._scene.addToScene(e),e._scene=this._scene},isAncestor:function(e){for(var t=e._parent;t;){if(t===this)return!0;t=t._parent}return!1},children:function(){return this._children.slice()},childAt:function(e){return this._children[e]},getChildByName:function(e){for(var t=this._children,r=0;r<t.length;r++)if(t[r].name===e)return t[r]},getDescendantByName:function(e){for(var t=this._children,r=0;r<t.length;r++){var i=t[r];if(i.name===e)return i;var n=i.getDescendantByName(e);if(n)return n}},queryNode:function(e){if(e){for(var t=e.split("/"),r=this,i=0;i<t.length;i++){var n=t[i];if(n){for(var a=!1,o=r._children,s=0;s<o.length;s++){var f=o[s];if(f.name===n){r=f,a=!0;break}}if(!a)return}}return r}},getPath:function(e){if(!this._parent)return"/";for(var t=this._parent,r=this.name;t._parent&&(r=t.name+"/"+r,t._parent!=e);)t=t._parent;return!t._parent&&e?null:r},traverse:function(e,t){e.call(t,this);for(var r=this._children,i=0,n=r.length;i<n;i++)r[i].traverse(e,t)},eachChild:function(e,t){for(var r=this._children,i=0,n=r.length;i<n;i++){var a=r[i];e.call(t,a,i)}},setLocalTransform:function(e){L.copy(this.localTransform.array,e.array),this.decomposeLocalTransform()},decomposeLocalTransform:function(e){var t=e?null:this.scale;this.localTransform.decomposeMatrix(t,this.rotation,this.position)},setWorldTransform:function(e){L.copy(this.worldTransform.array,e.array),this.decomposeWorldTransform()},decomposeWorldTransform:(function(){var e=L.create();return function(t){var r=this.localTransform,i=this.worldTransform;this._parent?(L.invert(e,this._parent.worldTransform.array),L.multiply(r.array,e,i.array)):L.copy(r.array,i.array);var n=t?null:this.scale;r.decomposeMatrix(n,this.rotation,this.position)}})(),transformNeedsUpdate:function(){return this.position._dirty||this.rotation._dirty||this.scale._dirty},updateLocalTransform:function(){var e=this.position,t=this.rotation,r=this.scale;if(this.transformNeedsUpdate()){var i=this.localTransform.array;L.fromRotationTranslation(i,t.array,e.array),L.scale(i,i,r.array),t._dirty=!1,r._dirty=!1,e._dirty=!1,this._needsUpdateWorldTransform=!0}},_updateWorldTransformTopDown:function(){var e=this.localTransform.array,t=this.worldTransform.array;this._parent?L.multiplyAffine(t,this._parent.worldTransform.array,e):L.copy(t,e)},updateWorldTransform:function(){for(var e=this;e&&e.getParent()&&e.getParent().transformNeedsUpdate();)e=e.getParent();e.update()},update:function(e){this.autoUpdateLocalTransform?this.updateLocalTransform():e=!0,(e||this._needsUpdateWorldTransform)&&(this._updateWorldTransformTopDown(),e=!0,this._needsUpdateWorldTransform=!1);for(var t=this._children,r=0,i=t.length;r<i;r++)t[r].update(e)},getBoundingBox:(function(){function e(n){return!n.invisible&&n.geometry}var t=new xe,r=new O,i=new O;return function(n,a){return a=a||new xe,n=n||e,this._parent?O.invert(i,this._parent.worldTransform):O.identity(i),this.traverse(function(o){o.geometry&&o.geometry.boundingBox&&(t.copy(o.geometry.boundingBox),O.multiply(r,i,o.worldTransform),t.applyTransform(r),a.union(t))},this,e),a}})(),getWorldPosition:function(e){this.transformNeedsUpdate()&&this.updateWorldTransform();var t=this.worldTransform.array;if(e){var r=e.array;return r[0]=t[12],r[1]=t[13],r[2]=t[14],e}else return new C(t[12],t[13],t[14])},clone:function(){var e=new this.constructor,t=this._children;e.setName(this.name),e.position.copy(this.position),e.rotation.copy(this.rotation),e.scale.copy(this.scale);for(var r=0;r<t.length;r++)e.add(t[r].clone());return e},rotateAround:(function(){var e=new C,t=new O;return function(r,i,n){e.copy(this.position).subtract(r);var a=this.localTransform;a.identity(),a.translate(r),a.rotate(n,i),t.fromRotationTranslation(this.rotation,e),a.multiply(t),a.scale(this.scale),this.decomposeLocalTransform(),this._needsUpdateWorldTransform=!0}})(),lookAt:(function(){var e=new O;return function(t,r){e.lookAt(this.position,t,r||this.localTransform.y).invert(),this.setLocalTransform(e),this.target=t}})()}),Ve=Mu;var S={DEPTH_BUFFER_BIT:256,STENCIL_BUFFER_BIT:1024,COLOR_BUFFER_BIT:16384,POINTS:0,LINES:1,LINE_LOOP:2,LINE_STRIP:3,TRIANGLES:4,TRIANGLE_STRIP:5,TRIANGLE_FAN:6,ZERO:0,ONE:1,SRC_COLOR:768,ONE_MINUS_SRC_COLOR:769,SRC_ALPHA:770,ONE_MINUS_SRC_ALPHA:771,DST_ALPHA:772,ONE_MINUS_DST_ALPHA:773,DST_COLOR:774,ONE_MINUS_DST_COLOR:775,SRC_ALPHA_SATURATE:776,FUNC_ADD:32774,BLEND_EQUATION:32777,BLEND_EQUATION_RGB:32777,BLEND_EQUATION_ALPHA:34877,FUNC_SUBTRACT:32778,FUNC_REVERSE_SUBTRACT:32779,BLEND_DST_RGB:32968,BLEND_SRC_RGB:32969,BLEND_DST_ALPHA:32970,BLEND_SRC_ALPHA:32971,CONSTANT_COLOR:32769,ONE_MINUS_CONSTANT_COLOR:32770,CONSTANT_ALPHA:32771,ONE_MINUS_CONSTANT_ALPHA:32772,BLEND_COLOR:32773,ARRAY_BUFFER:34962,ELEMENT_ARRAY_BUFFER:34963,ARRAY_BUFFER_BINDING:34964,ELEMENT_ARRAY_BUFFER_BINDING:34965,STREAM_DRAW:35040,STATIC_DRAW:35044,DYNAMIC_DRAW:35048,BUFFER_SIZE:34660,BUFFER_USAGE:34661,CURRENT_VERTEX_ATTRIB:34342,FRONT:1028,BACK:1029,FRONT_AND_BACK:1032,CULL_FACE:2884,BLEND:3042,DITHER:3024,STENCIL_TEST:2960,DEPTH_TEST:2929,SCISSOR_TEST:3089,POLYGON_OFFSET_FILL:32823,SAMPLE_ALPHA_TO_COVERAGE:32926,SAMPLE_COVERAGE:32928,NO_ERROR:0,INVALID_ENUM:1280,INVALID_VALUE:1281,INVALID_OPERATION:1282,OUT_OF_MEMORY:1285,CW:2304,CCW:2305,LINE_WIDTH:2849,ALIASED_POINT_SIZE_RANGE:33901,ALIASED_LINE_WIDTH_RANGE:33902,CULL_FACE_MODE:2885,FRONT_FACE:2886,DEPTH_RANGE:2928,DEPTH_WRITEMASK:2930,DEPTH_CLEAR_VALUE:2931,DEPTH_FUNC:2932,STENCIL_CLEAR_VALUE:2961,STENCIL_FUNC:2962,STENCIL_FAIL:2964,STENCIL_PASS_DEPTH_FAIL:2965,STENCIL_PASS_DEPTH_PASS:2966,STENCIL_REF:2967,STENCIL_VALUE_MASK:2963,STENCIL_WRITEMASK:2968,STENCIL_BACK_FUNC:34816,STENCIL_BACK_FAIL:34817,STENCIL_BACK_PASS_DEPTH_FAIL:34818,STENCIL_BACK_PASS_DEPTH_PASS:34819,STENCIL_BACK_REF:36003,STENCIL_BACK_VALUE_MASK:36004,STENCIL_BACK_WRITEMASK:36005,VIEWPORT:2978,SCISSOR_BOX:3088,COLOR_CLEAR_VALUE:3106,COLOR_WRITEMASK:3107,UNPACK_ALIGNMENT:3317,PACK_ALIGNMENT:3333,MAX_TEXTURE_SIZE:3379,MAX_VIEWPORT_DIMS:3386,SUBPIXEL_BITS:3408,RED_BITS:3410,GREEN_BITS:3411,BLUE_BITS:3412,ALPHA_BITS:3413,DEPTH_BITS:3414,STENCIL_BITS:3415,POLYGON_OFFSET_UNITS:10752,POLYGON_OFFSET_FACTOR:32824,TEXTURE_BINDING_2D:32873,SAMPLE_BUFFERS:32936,SAMPLES:32937,SAMPLE_COVERAGE_VALUE:32938,SAMPLE_COVERAGE_INVERT:32939,COMPRESSED_TEXTURE_FORMATS:34467,DONT_CARE:4352,FASTEST:4353,NICEST:4354,GENERATE_MIPMAP_HINT:33170,BYTE:5120,UNSIGNED_BYTE:5121,SHORT:5122,UNSIGNED_SHORT:5123,INT:5124,UNSIGNED_INT:5125,FLOAT:5126,DEPTH_COMPONENT:6402,ALPHA:6406,RGB:6407,RGBA:6408,LUMINANCE:6409,LUMINANCE_ALPHA:6410,UNSIGNED_SHORT_4_4_4_4:32819,UNSIGNED_SHORT_5_5_5_1:32820,UNSIGNED_SHORT_5_6_5:33635,FRAGMENT_SHADER:35632,VERTEX_SHADER:35633,MAX_VERTEX_ATTRIBS:34921,MAX_VERTEX_UNIFORM_VECTORS:36347,MAX_VARYING_VECTORS:36348,MAX_COMBINED_TEXTURE_IMAGE_UNITS:35661,MAX_VERTEX_TEXTURE_IMAGE_UNITS:35660,MAX_TEXTURE_IMAGE_UNITS:34930,MAX_FRAGMENT_UNIFORM_VECTORS:36349,SHADER_TYPE:35663,DELETE_STATUS:35712,LINK_STATUS:35714,VALIDATE_STATUS:35715,ATTACHED_SHADERS:35717,ACTIVE_UNIFORMS:35718,ACTIVE_ATTRIBUTES:35721,SHADING_LANGUAGE_VERSION:35724,CURRENT_PROGRAM:35725,NEVER:512,LESS:513,EQUAL:514,LEQUAL:515,GREATER:516,NOTEQUAL:517,GEQUAL:518,ALWAYS:519,KEEP:7680,REPLACE:7681,INCR:7682,DECR:7683,INVERT:5386,INCR_WRAP:34055,DECR_WRAP:34056,VENDOR:7936,RENDERER:7937,VERSION:7938,NEAREST:9728,LINEAR:9729,NEAREST_MIPMAP_NEAREST:9984,LINEAR_MIPMAP_NEAREST:9985,NEAREST_MIPMAP_LINEAR:9986,LINEAR_MIPMAP_LINEAR:9987,TEXTURE_MAG_FILTER:10240,TEXTURE_MIN_FILTER:10241,TEXTURE_WRAP_S:10242,TEXTURE_WRAP_T:10243,TEXTURE_2D:3553,TEXTURE:5890,TEXTURE_CUBE_MAP:34067,TEXTURE_BINDING_CUBE_MAP:34068,TEXTURE_CUBE_MAP_POSITIVE_X:34069,TEXTURE_CUBE_MAP_NEGATIVE_X:34070,TEXTURE_CUBE_MAP_POSITIVE_Y:34071,TEXTURE_CUBE_MAP_NEGATIVE_Y:34072,TEXTURE_CUBE_MAP_POSITIVE_Z:34073,TEXTURE_CUBE_MAP_NEGATIVE_Z:34074,MAX_CUBE_MAP_TEXTURE_SIZE:34076,TEXTURE0:33984,TEXTURE1:33985,TEXTURE2:33986,TEXTURE3:33987,TEXTURE4:33988,TEXTURE5:33989,TEXTURE6:33990,TEXTURE7:33991,TEXTURE8:33992,TEXTURE9:33993,TEXTURE10:33994,TEXTURE11:33995,TEXTURE12:33996,TEXTURE13:33997,TEXTURE14:33998,TEXTURE15:33999,TEXTURE16:34e3,TEXTURE17:34001,TEXTURE18:34002,TEXTURE19:34003,TEXTURE20:34004,TEXTURE21:34005,TEXTURE22:34006,TEXTURE23:34007,TEXTURE24:34008,TEXTURE25:34009,TEXTURE26:34010,TEXTURE27:34011,TEXTURE28:34012,TEXTURE29:34013,TEXTURE30:34014,TEXTURE31:34015,ACTIVE_TEXTURE:34016,REPEAT:10497,CLAMP_TO_EDGE:33071,MIRRORED_REPEAT:33648,FLOAT_VEC2:35664,FLOAT_VEC3:35665,FLOAT_VEC4:35666,INT_VEC2:35667,INT_VEC3:35668,INT_VEC4:35669,BOOL:35670,BOOL_VEC2:35671,BOOL_VEC3:35672,BOOL_VEC4:35673,FLOAT_MAT2:35674,FLOAT_MAT3:35675,FLOAT_MAT4:35676,SAMPLER_2D:35678,SAMPLER_CUBE:35680,VERTEX_ATTRIB_ARRAY_ENABLED:34338,VERTEX_ATTRIB_ARRAY_SIZE:34339,VERTEX_ATTRIB_ARRAY_STRIDE:34340,VERTEX_ATTRIB_ARRAY_TYPE:34341,VERTEX_ATTRIB_ARRAY_NORMALIZED:34922,VERTEX_ATTRIB_ARRAY_POINTER:34373,VERTEX_ATTRIB_ARRAY_BUFFER_BINDING:34975,COMPILE_STATUS:35713,LOW_FLOAT:36336,MEDIUM_FLOAT:36337,HIGH_FLOAT:36338,LOW_INT:36339,MEDIUM_INT:36340,HIGH_INT:36341,FRAMEBUFFER:36160,RENDERBUFFER:36161,RGBA4:32854,RGB5_A1:32855,RGB565:36194,DEPTH_COMPONENT16:33189,STENCIL_INDEX:6401,STENCIL_INDEX8:36168,DEPTH_STENCIL:34041,RENDERBUFFER_WIDTH:36162,RENDERBUFFER_HEIGHT:36163,RENDERBUFFER_INTERNAL_FORMAT:36164,RENDERBUFFER_RED_SIZE:36176,RENDERBUFFER_GREEN_SIZE:36177,RENDERBUFFER_BLUE_SIZE:36178,RENDERBUFFER_ALPHA_SIZE:36179,RENDERBUFFER_DEPTH_SIZE:36180,RENDERBUFFER_STENCIL_SIZE:36181,FRAMEBUFFER_ATTACHMENT_OBJECT_TYPE:36048,FRAMEBUFFER_ATTACHMENT_OBJECT_NAME:36049,FRAMEBUFFER_ATTACHMENT_TEXTURE_LEVEL:36050,FRAMEBUFFER_ATTACHMENT_TEXTURE_CUBE_MAP_FACE:36051,COLOR_ATTACHMENT0:36064,DEPTH_ATTACHMENT:36096,STENCIL_ATTACHMENT:36128,DEPTH_STENCIL_ATTACHMENT:33306,NONE:0,FRAMEBUFFER_COMPLETE:36053,FRAMEBUFFER_INCOMPLETE_ATTACHMENT:36054,FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT:36055,FRAMEBUFFER_INCOMPLETE_DIMENSIONS:36057,FRAMEBUFFER_UNSUPPORTED:36061,FRAMEBUFFER_BINDING:36006,RENDERBUFFER_BINDING:36007,MAX_RENDERBUFFER_SIZE:34024,INVALID_FRAMEBUFFER_OPERATION:1286,UNPACK_FLIP_Y_WEBGL:37440,UNPACK_PREMULTIPLY_ALPHA_WEBGL:37441,CONTEXT_LOST_WEBGL:37442,UNPACK_COLORSPACE_CONVERSION_WEBGL:37443,BROWSER_DEFAULT_WEBGL:37444};var Je=Ve.extend({material:null,geometry:null,mode:S.TRIANGLES,_renderInfo:null},{__program:null,lightGroup:0,renderOrder:0,culling:!0,cullFace:S.BACK,frontFace:S.CCW,frustumCulling:!0,receiveShadow:!0,castShadow:!0,ignorePicking:!1,ignorePreZ:!1,ignoreGBuffer:!1,isRenderable:function(){return this.geometry&&this.material&&this.material.shader&&!this.invisible&&this.geometry.vertexCount>0},beforeRender:function(e){},afterRender:function(e,t){},getBoundingBox:function(e,t){return t=Ve.prototype.getBoundingBox.call(this,e,t),this.geometry&&this.geometry.boundingBox&&t.union(this.geometry.boundingBox),t},clone:(function(){var e=["castShadow","receiveShadow","mode","culling","cullFace","frontFace","frustumCulling","renderOrder","lineWidth","ignorePicking","ignorePreZ","ignoreGBuffer"];return function(){var t=Ve.prototype.clone.call(this);t.geometry=this.geometry,t.material=this.material;for(var r=0;r<e.length;r++){var i=e[r];t[i]!==this[i]&&(t[i]=this[i])}return t}})()});Je.POINTS=S.POINTS;Je.LINES=S.LINES;Je.LINE_LOOP=S.LINE_LOOP;Je.LINE_STRIP=S.LINE_STRIP;Je.TRIANGLES=S.TRIANGLES;Je.TRIANGLE_STRIP=S.TRIANGLE_STRIP;Je.TRIANGLE_FAN=S.TRIANGLE_FAN;Je.BACK=S.BACK;Je.FRONT=S.FRONT;Je.FRONT_AND_BACK=S.FRONT_AND_BACK;Je.CW=S.CW;Je.CCW=S.CCW;var Wr=Je;var $e=Wr.extend({skeleton:null,joints:null},function(){this.joints||(this.joints=[])},{offsetMatrix:null,isInstancedMesh:function(){return!1},isSkinnedMesh:function(){return!!(this.skeleton&&this.joints&&this.joints.length>0)},clone:function(){var e=Wr.prototype.clone.call(this);return e.skeleton=this.skeleton,this.joints&&(e.joints=this.joints.slice()),e}});$e.POINTS=S.POINTS;$e.LINES=S.LINES;$e.LINE_LOOP=S.LINE_LOOP;$e.LINE_STRIP=S.LINE_STRIP;$e.TRIANGLES=S.TRIANGLES;$e.TRIANGLE_STRIP=S.TRIANGLE_STRIP;$e.TRIANGLE_FAN=S.TRIANGLE_FAN;$e.BACK=S.BACK;$e.FRONT=S.FRONT;$e.FRONT_AND_BACK=S.FRONT_AND_BACK;$e.CW=S.CW;$e.CCW=S.CCW;var hr=$e;var lo=["OES_texture_float","OES_texture_half_float","OES_texture_float_linear","OES_texture_half_float_linear","OES_standard_derivatives","OES_vertex_array_object","OES_element_index_uint","WEBGL_compressed_texture_s3tc","WEBGL_depth_texture","EXT_texture_filter_anisotropic","EXT_shader_texture_lod","WEBGL_draw_buffers","EXT_frag_depth","EXT_sRGB","ANGLE_instanced_arrays"],uo=["MAX_TEXTURE_SIZE","MAX_CUBE_MAP_TEXTURE_SIZE"];function Nu(e){for(var t={},r={},i=0;i<lo.length;i++){var n=lo[i];o(n)}for(var i=0;i<uo.length;i++){var a=uo[i];r[a]=e.getParameter(e[a])}this.getExtension=function(s){return s in t||o(s),t[s]},this.getParameter=function(s){return r[s]};function o(s){if(e.getExtension){var f=e.getExtension(s);f||(f=e.getExtension("MOZ_"+s)),f||(f=e.getExtension("WEBKIT_"+s)),t[s]=f}}}var co=Nu;function Pu(e){var t=new XMLHttpRequest;t.open("get",e.url),t.responseType=e.responseType||"text",e.onprogress&&(t.onprogress=function(r){if(r.lengthComputable){var i=r.loaded/r.total;e.onprogress(i,r.loaded,r.total)}else e.onprogress(null)}),t.onload=function(r){t.status>=400?e.onerror&&e.onerror():e.onload&&e.onload(t.response)},e.onerror&&(t.onerror=e.onerror),t.send(null)}var ho={get:Pu};var Rn,ke={};ke.supportWebGL=function(){if(Rn==null)try{var e=document.createElement("canvas"),t=e.getContext("webgl")||e.getContext("experimental-webgl");if(!t)throw new Error}catch{Rn=!1}return Rn};ke.Int8Array=typeof Int8Array>"u"?Array:Int8Array;ke.Uint8Array=typeof Uint8Array>"u"?Array:Uint8Array;ke.Uint16Array=typeof Uint16Array>"u"?Array:Uint16Array;ke.Uint32Array=typeof Uint32Array>"u"?Array:Uint32Array;ke.Int16Array=typeof Int16Array>"u"?Array:Int16Array;ke.Float32Array=typeof Float32Array>"u"?Array:Float32Array;ke.Float64Array=typeof Float64Array>"u"?Array:Float64Array;var Jt={};typeof window<"u"?Jt=window:typeof global<"u"&&(Jt=global);ke.requestAnimationFrame=Jt.requestAnimationFrame||Jt.msRequestAnimationFrame||Jt.mozRequestAnimationFrame||Jt.webkitRequestAnimationFrame||function(e){setTimeout(e,16)};ke.createCanvas=function(){return document.createElement("canvas")};ke.createImage=function(){return new Jt.Image};ke.request={get:ho.get};ke.addEventListener=function(e,t,r,i){e.addEventListener(t,r,i)};ke.removeEventListener=function(e,t,r){e.removeEventListener(t,r)};var ne=ke;var Ne=function(){this.head=null,this.tail=null,this._length=0};Ne.prototype.insert=function(e){var t=new Ne.Entry(e);return this.insertEntry(t),t};Ne.prototype.insertAt=function(e,t){if(!(e<0)){for(var r=this.head,i=0;r&&i!=e;)r=r.next,i++;if(r){var n=new Ne.Entry(t),a=r.prev;a?(a.next=n,n.prev=a):this.head=n,n.next=r,r.prev=n}else this.insert(t)}};Ne.prototype.insertBeforeEntry=function(e,t){var r=new Ne.Entry(e),i=t.prev;i?(i.next=r,r.prev=i):this.head=r,r.next=t,t.prev=r,this._length++};Ne.prototype.insertEntry=function(e){this.head?(this.tail.next=e,e.prev=this.tail,this.tail=e):this.head=this.tail=e,this._length++};Ne.prototype.remove=function(e){var t=e.prev,r=e.next;t?t.next=r:this.head=r,r?r.prev=t:this.tail=t,e.next=e.prev=null,this._length--};Ne.prototype.removeAt=function(e){if(!(e<0)){for(var t=this.head,r=0;t&&r!=e;)t=t.next,r++;if(t)return this.remove(t),t.value}};Ne.prototype.getHead=function(){if(this.head)return this.head.value};Ne.prototype.getTail=function(){if(this.tail)return this.tail.value};Ne.prototype.getAt=function(e){if(!(e<0)){for(var t=this.head,r=0;t&&r!=e;)t=t.next,r++;return t.value}};Ne.prototype.indexOf=function(e){for(var t=this.head,r=0;t;){if(t.value===e)return r;t=t.next,r++}};Ne.prototype.length=function(){return this._length};Ne.prototype.isEmpty=function(){return this._length===0};Ne.prototype.forEach=function(e,t){for(var r=this.head,i=0,n=typeof t<"u";r;)n?e.call(t,r.value,i):e(r.value,i),r=r.next,i++};Ne.prototype.clear=function(){this.tail=this.head=null,this._length=0};Ne.Entry=function(e){this.value=e,this.next=null,this.prev=null};var mo=Ne;var dr=function(e){this._list=new mo,this._map={},this._maxSize=e||10};dr.prototype.setMaxSize=function(e){this._maxSize=e};dr.prototype.put=function(e,t){if(!this._map.hasOwnProperty(e)){var r=this._list.length();if(r>=this._maxSize&&r>0){var i=this._list.head;this._list.remove(i),delete this._map[i.key]}var n=this._list.insert(t);n.key=e,this._map[e]=n}};dr.prototype.get=function(e){var t=this._map[e];if(this._map.hasOwnProperty(e))return t!==this._list.tail&&(this._list.remove(t),this._list.insertEntry(t)),t.value};dr.prototype.remove=function(e){var t=this._map[e];typeof t<"u"&&(delete this._map[e],this._list.remove(t))};dr.prototype.clear=function(){this._list.clear(),this._map={}};var gi=dr;var ve={},po={transparent:[0,0,0,0],aliceblue:[240,248,255,1],antiquewhite:[250,235,215,1],aqua:[0,255,255,1],aquamarine:[127,255,212,1],azure:[240,255,255,1],beige:[245,245,220,1],bisque:[255,228,196,1],black:[0,0,0,1],blanchedalmond:[255,235,205,1],blue:[0,0,255,1],blueviolet:[138,43,226,1],brown:[165,42,42,1],burlywood:[222,184,135,1],cadetblue:[95,158,160,1],chartreuse:[127,255,0,1],chocolate:[210,105,30,1],coral:[255,127,80,1],cornflowerblue:[100,149,237,1],cornsilk:[255,248,220,1],crimson:[220,20,60,1],cyan:[0,255,255,1],darkblue:[0,0,139,1],darkcyan:[0,139,139,1],darkgoldenrod:[184,134,11,1],darkgray:[169,169,169,1],darkgreen:[0,100,0,1],darkgrey:[169,169,169,1],darkkhaki:[189,183,107,1],darkmagenta:[139,0,139,1],darkolivegreen:[85,107,47,1],darkorange:[255,140,0,1],darkorchid:[153,50,204,1],darkred:[139,0,0,1],darksalmon:[233,150,122,1],darkseagreen:[143,188,143,1],darkslateblue:[72,61,139,1],darkslategray:[47,79,79,1],darkslategrey:[47,79,79,1],darkturquoise:[0,206,209,1],darkviolet:[148,0,211,1],deeppink:[255,20,147,1],deepskyblue:[0,191,255,1],dimgray:[105,105,105,1],dimgrey:[105,105,105,1],dodgerblue:[30,144,255,1],firebrick:[178,34,34,1],floralwhite:[255,250,240,1],forestgreen:[34,139,34,1],fuchsia:[255,0,255,1],gainsboro:[220,220,220,1],ghostwhite:[248,248,255,1],gold:[255,215,0,1],goldenrod:[218,165,32,1],gray:[128,128,128,1],green:[0,128,0,1],greenyellow:[173,255,47,1],grey:[128,128,128,1],honeydew:[240,255,240,1],hotpink:[255,105,180,1],indianred:[205,92,92,1],indigo:[75,0,130,1],ivory:[255,255,240,1],khaki:[240,230,140,1],lavender:[230,230,250,1],lavenderblush:[255,240,245,1],lawngreen:[124,252,0,1],lemonchiffon:[255,250,205,1],lightblue:[173,216,230,1],lightcoral:[240,128,128,1],lightcyan:[224,255,255,1],lightgoldenrodyellow:[250,250,210,1],lightgray:[211,211,211,1],lightgreen:[144,238,144,1],lightgrey:[211,211,211,1],lightpink:[255,182,193,1],lightsalmon:[255,160,122,1],lightseagreen:[32,178,170,1],lightskyblue:[135,206,250,1],lightslategray:[119,136,153,1],lightslategrey:[119,136,153,1],lightsteelblue:[176,196,222,1],lightyellow:[255,255,224,1],lime:[0,255,0,1],limegreen:[50,205,50,1],linen:[250,240,230,1],magenta:[255,0,255,1],maroon:[128,0,0,1],mediumaquamarine:[102,205,170,1],mediumblue:[0,0,205,1],mediumorchid:[186,85,211,1],mediumpurple:[147,112,219,1],mediumseagreen:[60,179,113,1],mediumslateblue:[123,104,238,1],mediumspringgreen:[0,250,154,1],mediumturquoise:[72,209,204,1],mediumvioletred:[199,21,133,1],midnightblue:[25,25,112,1],mintcream:[245,255,250,1],mistyrose:[255,228,225,1],moccasin:[255,228,181,1],navajowhite:[255,222,173,1],navy:[0,0,128,1],oldlace:[253,245,230,1],olive:[128,128,0,1],olivedrab:[107,142,35,1],orange:[255,165,0,1],orangered:[255,69,0,1],orchid:[218,112,214,1],palegoldenrod:[238,232,170,1],palegreen:[152,251,152,1],paleturquoise:[175,238,238,1],palevioletred:[219,112,147,1],papayawhip:[255,239,213,1],peachpuff:[255,218,185,1],peru:[205,133,63,1],pink:[255,192,203,1],plum:[221,160,221,1],powderblue:[176,224,230,1],purple:[128,0,128,1],red:[255,0,0,1],rosybrown:[188,143,143,1],royalblue:[65,105,225,1],saddlebrown:[139,69,19,1],salmon:[250,128,114,1],sandybrown:[244,164,96,1],seagreen:[46,139,87,1],seashell:[255,245,238,1],sienna:[160,82,45,1],silver:[192,192,192,1],skyblue:[135,206,235,1],slateblue:[106,90,205,1],slategray:[112,128,144,1],slategrey:[112,128,144,1],snow:[255,250,250,1],springgreen:[0,255,127,1],steelblue:[70,130,180,1],tan:[210,180,140,1],teal:[0,128,128,1],thistle:[216,191,216,1],tomato:[255,99,71,1],turquoise:[64,224,208,1],violet:[238,130,238,1],wheat:[245,222,179,1],white:[255,255,255,1],whitesmoke:[245,245,245,1],yellow:[255,255,0,1],yellowgreen:[154,205,50,1]};function pt(e){return e=Math.round(e),e<0?0:e>255?255:e}function Ou(e){return e=Math.round(e),e<0?0:e>360?360:e}function Xr(e){return e<0?0:e>1?1:e}function Dn(e){return e.length&&e.charAt(e.length-1)==="%"?pt(parseFloat(e)/100*255):pt(parseInt(e,10))}function pr(e){return e.length&&e.charAt(e.length-1)==="%"?Xr(parseFloat(e)/100):Xr(parseFloat(e))}function Mn(e,t,r){return r<0?r+=1:r>1&&(r-=1),r*6<1?e+(t-e)*r*6:r*2<1?t:r*3<2?e+(t-e)*(2/3-r)*6:e}function Ft(e,t,r){return e+(t-e)*r}function mt(e,t,r,i,n){return e[0]=t,e[1]=r,e[2]=i,e[3]=n,e}function Nn(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e}var vo=new gi(20),yi=null;function mr(e,t){yi&&Nn(yi,t),yi=vo.put(e,yi||t.slice())}ve.parse=function(e,t){if(e){t=t||[];var r=vo.get(e);if(r)return Nn(t,r);e=e+"";var i=e.replace(/ /g,"").toLowerCase();if(i in po)return Nn(t,po[i]),mr(e,t),t;if(i.charAt(0)==="#"){if(i.length===4){var n=parseInt(i.substr(1),16);if(!(n>=0&&n<=4095)){mt(t,0,0,0,1);return}return mt(t,(n&3840)>>4|(n&3840)>>8,n&240|(n&240)>>4,n&15|(n&15)<<4,1),mr(e,t),t}else if(i.length===7){var n=parseInt(i.substr(1),16);if(!(n>=0&&n<=16777215)){mt(t,0,0,0,1);return}return mt(t,(n&16711680)>>16,(n&65280)>>8,n&255,1),mr(e,t),t}return}var a=i.indexOf("("),o=i.indexOf(")");if(a!==-1&&o+1===i.length){var s=i.substr(0,a),f=i.substr(a+1,o-(a+1)).split(","),l=1;switch(s){case"rgba":if(f.length!==4){mt(t,0,0,0,1);return}l=pr(f.pop());case"rgb":if(f.length!==3){mt(t,0,0,0,1);return}return mt(t,Dn(f[0]),Dn(f[1]),Dn(f[2]),l),mr(e,t),t;case"hsla":if(f.length!==4){mt(t,0,0,0,1);return}return f[3]=pr(f[3]),Pn(f,t),mr(e,t),t;case"hsl":if(f.length!==3){mt(t,0,0,0,1);return}return Pn(f,t),mr(e,t),t;default:return}}mt(t,0,0,0,1)}};ve.parseToFloat=function(e,t){if(t=ve.parse(e,t),!!t)return t[0]/=255,t[1]/=255,t[2]/=255,t};function Pn(e,t){var r=(parseFloat(e[0])%360+360)%360/360,i=pr(e[1]),n=pr(e[2]),a=n<=.5?n*(i+1):n+i-n*i,o=n*2-a;return t=t||[],mt(t,pt(Mn(o,a,r+1/3)*255),pt(Mn(o,a,r)*255),pt(Mn(o,a,r-1/3)*255),1),e.length===4&&(t[3]=e[3]),t}function Iu(e){if(e){var t=e[0]/255,r=e[1]/255,i=e[2]/255,n=Math.min(t,r,i),a=Math.max(t,r,i),o=a-n,s=(a+n)/2,f,l;if(o===0)f=0,l=0;else{s<.5?l=o/(a+n):l=o/(2-a-n);var u=((a-t)/6+o/2)/o,c=((a-r)/6+o/2)/o,d=((a-i)/6+o/2)/o;t===a?f=d-c:r===a?f=1/3+u-d:i===a&&(f=2/3+c-u),f<0&&(f+=1),f>1&&(f-=1)}var h=[f*360,l,s];return e[3]!=null&&h.push(e[3]),h}}ve.lift=function(e,t){var r=ve.parse(e);if(r){for(var i=0;i<3;i++)t<0?r[i]=r[i]*(1-t)|0:r[i]=(255-r[i])*t+r[i]|0;return ve.stringify(r,r.length===4?"rgba":"rgb")}};ve.toHex=function(e){var t=ve.parse(e);if(t)return((1<<24)+(t[0]<<16)+(t[1]<<8)+ +t[2]).toString(16).slice(1)};ve.fastLerp=function(e,t,r){if(!(!(t&&t.length)||!(e>=0&&e<=1))){r=r||[];var i=e*(t.length-1),n=Math.floor(i),a=Math.ceil(i),o=t[n],s=t[a],f=i-n;return r[0]=pt(Ft(o[0],s[0],f)),r[1]=pt(Ft(o[1],s[1],f)),r[2]=pt(Ft(o[2],s[2],f)),r[3]=Xr(Ft(o[3],s[3],f)),r}};ve.fastMapToColor=ve.fastLerp;ve.lerp=function(e,t,r){if(!(!(t&&t.length)||!(e>=0&&e<=1))){var i=e*(t.length-1),n=Math.floor(i),a=Math.ceil(i),o=ve.parse(t[n]),s=ve.parse(t[a]),f=i-n,l=ve.stringify([pt(Ft(o[0],s[0],f)),pt(Ft(o[1],s[1],f)),pt(Ft(o[2],s[2],f)),Xr(Ft(o[3],s[3],f))],"rgba");return r?{color:l,leftIndex:n,rightIndex:a,value:i}:l}};ve.mapToColor=ve.lerp;ve.modifyHSL=function(e,t,r,i){if(e=ve.parse(e),e)return e=Iu(e),t!=null&&(e[0]=Ou(t)),r!=null&&(e[1]=pr(r)),i!=null&&(e[2]=pr(i)),ve.stringify(Pn(e),"rgba")};ve.modifyAlpha=function(e,t){if(e=ve.parse(e),e&&t!=null)return e[3]=Xr(t),ve.stringify(e,"rgba")};ve.stringify=function(e,t){if(!(!e||!e.length)){var r=e[0]+","+e[1]+","+e[2];return(t==="rgba"||t==="hsva"||t==="hsla")&&(r+=","+e[3]),t+"("+r+")"}};var _o=ve;var Bu=_o.parseToFloat,On={};function go(e){var t=Object.keys(e);t.sort();for(var r=[],i=0;i<t.length;i++){var n=t[i],a=e[n];a===null?r.push(n):r.push(n+" "+a.toString())}return r.join(`
`)}function Fu(e,t,r){r.sort();for(var i=[],n=0;n<r.length;n++){var a=r[n];i.push(a)}var o=go(e)+`
`+go(t)+`
`+i.join(`
`);if(On[o])return On[o];var s=pe.genGUID();return On[o]=s,s}var Uu=le.extend(function(){return{name:"",depthTest:!0,depthMask:!0,transparent:!1,blend:null,autoUpdateTextureStatus:!0,uniforms:{},vertexDefines:{},fragmentDefines:{},_textureStatus:{},_enabledUniforms:null}},function(){this.name||(this.name="MATERIAL_"+this.__uid__),this.shader&&this.attachShader(this.shader,!0)},{precision:"highp",setUniform:function(e,t){t===void 0&&console.warn('Uniform value "'+e+'" is undefined');var r=this.uniforms[e];r&&(typeof t=="string"&&(t=Bu(t)||t),r.value=t,this.autoUpdateTextureStatus&&r.type==="t"&&(t?this.enableTexture(e):this.disableTexture(e)))},setUniforms:function(e){for(var t in e){var r=e[t];this.setUniform(t,r)}},isUniformEnabled:function(e){return this._enabledUniforms.indexOf(e)>=0},getEnabledUniforms:function(){return this._enabledUniforms},getTextureUniforms:function(){return this._textureUniforms},set:function(e,t){if(typeof e=="object")for(var r in e){var i=e[r];this.setUniform(r,i)}else this.setUniform(e,t)},get:function(e){var t=this.uniforms[e];if(t)return t.value},attachShader:function(e,t){var r=this.uniforms;this.uniforms=e.createUniforms(),this.shader=e;var i=this.uniforms;this._enabledUniforms=Object.keys(i),this._enabledUniforms.sort(),this._textureUniforms=this._enabledUniforms.filter(function(l){var u=this.uniforms[l].type;return u==="t"||u==="tv"},this);var n=this.vertexDefines,a=this.fragmentDefines;if(this.vertexDefines=pe.clone(e.vertexDefines),this.fragmentDefines=pe.clone(e.fragmentDefines),t){for(var o in r)i[o]&&(i[o].value=r[o].value);pe.defaults(this.vertexDefines,n),pe.defaults(this.fragmentDefines,a)}var s={};for(var f in e.textures)s[f]={shaderType:e.textures[f].shaderType,type:e.textures[f].type,enabled:t&&this._textureStatus[f]?this._textureStatus[f].enabled:!1};this._textureStatus=s,this._programKey=""},clone:function(){var e=new this.constructor({name:this.name,shader:this.shader});for(var t in this.uniforms)e.uniforms[t].value=this.uniforms[t].value;return e.depthTest=this.depthTest,e.depthMask=this.depthMask,e.transparent=this.transparent,e.blend=this.blend,e.vertexDefines=pe.clone(this.vertexDefines),e.fragmentDefines=pe.clone(this.fragmentDefines),e.enableTexture(this.getEnabledTextures()),e.precision=this.precision,e},define:function(e,t,r){var i=this.vertexDefines,n=this.fragmentDefines;e!=="vertex"&&e!=="fragment"&&e!=="both"&&arguments.length<3&&(r=t,t=e,e="both"),r=r??null,(e==="vertex"||e==="both")&&i[t]!==r&&(i[t]=r,this._programKey=""),(e==="fragment"||e==="both")&&n[t]!==r&&(n[t]=r,e!=="both"&&(this._programKey=""))},undefine:function(e,t){e!=="vertex"&&e!=="fragment"&&e!=="both"&&arguments.length<2&&(t=e,e="both"),(e==="vertex"||e==="both")&&this.isDefined("vertex",t)&&(delete this.vertexDefines[t],this._programKey=""),(e==="fragment"||e==="both")&&this.isDefined("fragment",t)&&(delete this.fragmentDefines[t],e!=="both"&&(this._programKey=""))},isDefined:function(e,t){switch(e){case"vertex":return this.vertexDefines[t]!==void 0;case"fragment":return this.fragmentDefines[t]!==void 0}},getDefine:function(e,t){switch(e){case"vertex":return this.vertexDefines[t];case"fragment":return this.fragmentDefines[t]}},enableTexture:function(e){if(Array.isArray(e)){for(var t=0;t<e.length;t++)this.enableTexture(e[t]);return}var r=this._textureStatus[e];if(r){var i=r.enabled;i||(r.enabled=!0,this._programKey="")}},enableTexturesAll:function(){var e=this._textureStatus;for(var t in e)e[t].enabled=!0;this._programKey=""},disableTexture:function(e){if(Array.isArray(e)){for(var t=0;t<e.length;t++)this.disableTexture(e[t]);return}var r=this._textureStatus[e];if(r){var i=!r.enabled;i||(r.enabled=!1,this._programKey="")}},disableTexturesAll:function(){var e=this._textureStatus;for(var t in e)e[t].enabled=!1;this._programKey=""},isTextureEnabled:function(e){var t=this._textureStatus;return!!t[e]&&t[e].enabled},getEnabledTextures:function(){var e=[],t=this._textureStatus;for(var r in t)t[r].enabled&&e.push(r);return e},dirtyDefines:function(){this._programKey=""},getProgramKey:function(){return this._programKey||(this._programKey=Fu(this.vertexDefines,this.fragmentDefines,this.getEnabledTextures())),this._programKey}}),He=Uu;var q={};q.create=function(){var e=new he(2);return e[0]=0,e[1]=0,e};q.clone=function(e){var t=new he(2);return t[0]=e[0],t[1]=e[1],t};q.fromValues=function(e,t){var r=new he(2);return r[0]=e,r[1]=t,r};q.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e};q.set=function(e,t,r){return e[0]=t,e[1]=r,e};q.add=function(e,t,r){return e[0]=t[0]+r[0],e[1]=t[1]+r[1],e};q.subtract=function(e,t,r){return e[0]=t[0]-r[0],e[1]=t[1]-r[1],e};q.sub=q.subtract;q.multiply=function(e,t,r){return e[0]=t[0]*r[0],e[1]=t[1]*r[1],e};q.mul=q.multiply;q.divide=function(e,t,r){return e[0]=t[0]/r[0],e[1]=t[1]/r[1],e};q.div=q.divide;q.min=function(e,t,r){return e[0]=Math.min(t[0],r[0]),e[1]=Math.min(t[1],r[1]),e};q.max=function(e,t,r){return e[0]=Math.max(t[0],r[0]),e[1]=Math.max(t[1],r[1]),e};q.scale=function(e,t,r){return e[0]=t[0]*r,e[1]=t[1]*r,e};q.scaleAndAdd=function(e,t,r,i){return e[0]=t[0]+r[0]*i,e[1]=t[1]+r[1]*i,e};q.distance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1];return Math.sqrt(r*r+i*i)};q.dist=q.distance;q.squaredDistance=function(e,t){var r=t[0]-e[0],i=t[1]-e[1];return r*r+i*i};q.sqrDist=q.squaredDistance;q.length=function(e){var t=e[0],r=e[1];return Math.sqrt(t*t+r*r)};q.len=q.length;q.squaredLength=function(e){var t=e[0],r=e[1];return t*t+r*r};q.sqrLen=q.squaredLength;q.negate=function(e,t){return e[0]=-t[0],e[1]=-t[1],e};q.inverse=function(e,t){return e[0]=1/t[0],e[1]=1/t[1],e};q.normalize=function(e,t){var r=t[0],i=t[1],n=r*r+i*i;return n>0&&(n=1/Math.sqrt(n),e[0]=t[0]*n,e[1]=t[1]*n),e};q.dot=function(e,t){return e[0]*t[0]+e[1]*t[1]};q.cross=function(e,t,r){var i=t[0]*r[1]-t[1]*r[0];return e[0]=e[1]=0,e[2]=i,e};q.lerp=function(e,t,r,i){var n=t[0],a=t[1];return e[0]=n+i*(r[0]-n),e[1]=a+i*(r[1]-a),e};q.random=function(e,t){t=t||1;var r=GLMAT_RANDOM()*2*Math.PI;return e[0]=Math.cos(r)*t,e[1]=Math.sin(r)*t,e};q.transformMat2=function(e,t,r){var i=t[0],n=t[1];return e[0]=r[0]*i+r[2]*n,e[1]=r[1]*i+r[3]*n,e};q.transformMat2d=function(e,t,r){var i=t[0],n=t[1];return e[0]=r[0]*i+r[2]*n+r[4],e[1]=r[1]*i+r[3]*n+r[5],e};q.transformMat3=function(e,t,r){var i=t[0],n=t[1];return e[0]=r[0]*i+r[3]*n+r[6],e[1]=r[1]*i+r[4]*n+r[7],e};q.transformMat4=function(e,t,r){var i=t[0],n=t[1];return e[0]=r[0]*i+r[4]*n+r[12],e[1]=r[1]*i+r[5]*n+r[13],e};q.forEach=(function(){var e=q.create();return function(t,r,i,n,a,o){var s,f;for(r||(r=2),i||(i=0),n?f=Math.min(n*r+i,t.length):f=t.length,s=i;s<f;s+=r)e[0]=t[s],e[1]=t[s+1],a(e,e,o),t[s]=e[0],t[s+1]=e[1];return t}})();var U=q;var Q=function(e,t){e=e||0,t=t||0,this.array=U.fromValues(e,t),this._dirty=!0};Q.prototype={constructor:Q,add:function(e){return U.add(this.array,this.array,e.array),this._dirty=!0,this},set:function(e,t){return this.array[0]=e,this.array[1]=t,this._dirty=!0,this},setArray:function(e){return this.array[0]=e[0],this.array[1]=e[1],this._dirty=!0,this},clone:function(){return new Q(this.x,this.y)},copy:function(e){return U.copy(this.array,e.array),this._dirty=!0,this},cross:function(e,t){return U.cross(e.array,this.array,t.array),e._dirty=!0,this},dist:function(e){return U.dist(this.array,e.array)},distance:function(e){return U.distance(this.array,e.array)},div:function(e){return U.div(this.array,this.array,e.array),this._dirty=!0,this},divide:function(e){return U.divide(this.array,this.array,e.array),this._dirty=!0,this},dot:function(e){return U.dot(this.array,e.array)},len:function(){return U.len(this.array)},length:function(){return U.length(this.array)},lerp:function(e,t,r){return U.lerp(this.array,e.array,t.array,r),this._dirty=!0,this},min:function(e){return U.min(this.array,this.array,e.array),this._dirty=!0,this},max:function(e){return U.max(this.array,this.array,e.array),this._dirty=!0,this},mul:function(e){return U.mul(this.array,this.array,e.array),this._dirty=!0,this},multiply:function(e){return U.multiply(this.array,this.array,e.array),this._dirty=!0,this},negate:function(){return U.negate(this.array,this.array),this._dirty=!0,this},normalize:function(){return U.normalize(this.array,this.array),this._dirty=!0,this},random:function(e){return U.random(this.array,e),this._dirty=!0,this},scale:function(e){return U.scale(this.array,this.array,e),this._dirty=!0,this},scaleAndAdd:function(e,t){return U.scaleAndAdd(this.array,this.array,e.array,t),this._dirty=!0,this},sqrDist:function(e){return U.sqrDist(this.array,e.array)},squaredDistance:function(e){return U.squaredDistance(this.array,e.array)},sqrLen:function(){return U.sqrLen(this.array)},squaredLength:function(){return U.squaredLength(this.array)},sub:function(e){return U.sub(this.array,this.array,e.array),this._dirty=!0,this},subtract:function(e){return U.subtract(this.array,this.array,e.array),this._dirty=!0,this},transformMat2:function(e){return U.transformMat2(this.array,this.array,e.array),this._dirty=!0,this},transformMat2d:function(e){return U.transformMat2d(this.array,this.array,e.array),this._dirty=!0,this},transformMat3:function(e){return U.transformMat3(this.array,this.array,e.array),this._dirty=!0,this},transformMat4:function(e){return U.transformMat4(this.array,this.array,e.array),this._dirty=!0,this},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};Object.defineProperty&&(In=Q.prototype,Object.defineProperty(In,"x",{get:function(){return this.array[0]},set:function(e){this.array[0]=e,this._dirty=!0}}),Object.defineProperty(In,"y",{get:function(){return this.array[1]},set:function(e){this.array[1]=e,this._dirty=!0}}));var In;Q.add=function(e,t,r){return U.add(e.array,t.array,r.array),e._dirty=!0,e};Q.set=function(e,t,r){return U.set(e.array,t,r),e._dirty=!0,e};Q.copy=function(e,t){return U.copy(e.array,t.array),e._dirty=!0,e};Q.cross=function(e,t,r){return U.cross(e.array,t.array,r.array),e._dirty=!0,e};Q.dist=function(e,t){return U.distance(e.array,t.array)};Q.distance=Q.dist;Q.div=function(e,t,r){return U.divide(e.array,t.array,r.array),e._dirty=!0,e};Q.divide=Q.div;Q.dot=function(e,t){return U.dot(e.array,t.array)};Q.len=function(e){return U.length(e.array)};Q.lerp=function(e,t,r,i){return U.lerp(e.array,t.array,r.array,i),e._dirty=!0,e};Q.min=function(e,t,r){return U.min(e.array,t.array,r.array),e._dirty=!0,e};Q.max=function(e,t,r){return U.max(e.array,t.array,r.array),e._dirty=!0,e};Q.mul=function(e,t,r){return U.multiply(e.array,t.array,r.array),e._dirty=!0,e};Q.multiply=Q.mul;Q.negate=function(e,t){return U.negate(e.array,t.array),e._dirty=!0,e};Q.normalize=function(e,t){return U.normalize(e.array,t.array),e._dirty=!0,e};Q.random=function(e,t){return U.random(e.array,t),e._dirty=!0,e};Q.scale=function(e,t,r){return U.scale(e.array,t.array,r),e._dirty=!0,e};Q.scaleAndAdd=function(e,t,r,i){return U.scaleAndAdd(e.array,t.array,r.array,i),e._dirty=!0,e};Q.sqrDist=function(e,t){return U.sqrDist(e.array,t.array)};Q.squaredDistance=Q.sqrDist;Q.sqrLen=function(e){return U.sqrLen(e.array)};Q.squaredLength=Q.sqrLen;Q.sub=function(e,t,r){return U.subtract(e.array,t.array,r.array),e._dirty=!0,e};Q.subtract=Q.sub;Q.transformMat2=function(e,t,r){return U.transformMat2(e.array,t.array,r.array),e._dirty=!0,e};Q.transformMat2d=function(e,t,r){return U.transformMat2d(e.array,t.array,r.array),e._dirty=!0,e};Q.transformMat3=function(e,t,r){return U.transformMat3(e.array,t.array,r.array),e._dirty=!0,e};Q.transformMat4=function(e,t,r){return U.transformMat4(e.array,t.array,r.array),e._dirty=!0,e};var Pe=Q;var yo=1,xo=2,Bn=3,To={};function Hu(e){for(var t=e.split(`
`),r=0,i=t.length;r<i;r++)t[r]=r+1+": "+t[r];return t.join(`
`)}function Eo(e,t,r){if(!e.getShaderParameter(t,e.COMPILE_STATUS))return[e.getShaderInfoLog(t),Hu(r)].join(`
`)}var So=new ne.Float32Array(16),Gu=le.extend({uniformSemantics:{},attributes:{}},function(){this._locations={},this._textureSlot=0,this._program=null},{bind:function(e){this._textureSlot=0,e.gl.useProgram(this._program)},hasUniform:function(e){var t=this._locations[e];return t!=null},useTextureSlot:function(e,t,r){t&&(e.gl.activeTexture(e.gl.TEXTURE0+r),t.isRenderable()?t.bind(e):t.unbind(e))},currentTextureSlot:function(){return this._textureSlot},resetTextureSlot:function(e){this._textureSlot=e||0},takeCurrentTextureSlot:function(e,t){var r=this._textureSlot;return this.useTextureSlot(e,t,r),this._textureSlot++,r},setUniform:function(e,t,r,i){var n=this._locations,a=n[r];if(a==null)return!1;switch(t){case"m4":if(!(i instanceof Float32Array)){for(var o=0;o<i.length;o++)So[o]=i[o];i=So}e.uniformMatrix4fv(a,!1,i);break;case"2i":e.uniform2i(a,i[0],i[1]);break;case"2f":e.uniform2f(a,i[0],i[1]);break;case"3i":e.uniform3i(a,i[0],i[1],i[2]);break;case"3f":e.uniform3f(a,i[0],i[1],i[2]);break;case"4i":e.uniform4i(a,i[0],i[1],i[2],i[3]);break;case"4f":e.uniform4f(a,i[0],i[1],i[2],i[3]);break;case"1i":e.uniform1i(a,i);break;case"1f":e.uniform1f(a,i);break;case"1fv":e.uniform1fv(a,i);break;case"1iv":e.uniform1iv(a,i);break;case"2iv":e.uniform2iv(a,i);break;case"2fv":e.uniform2fv(a,i);break;case"3iv":e.uniform3iv(a,i);break;case"3fv":e.uniform3fv(a,i);break;case"4iv":e.uniform4iv(a,i);break;case"4fv":e.uniform4fv(a,i);break;case"m2":case"m2v":e.uniformMatrix2fv(a,!1,i);break;case"m3":case"m3v":e.uniformMatrix3fv(a,!1,i);break;case"m4v":if(Array.isArray(i)&&Array.isArray(i[0])){for(var s=new ne.Float32Array(i.length*16),f=0,o=0;o<i.length;o++)for(var l=i[o],u=0;u<16;u++)s[f++]=l[u];e.uniformMatrix4fv(a,!1,s)}else e.uniformMatrix4fv(a,!1,i);break}return!0},setUniformOfSemantic:function(e,t,r){var i=this.uniformSemantics[t];return i?this.setUniform(e,i.type,i.symbol,r):!1},enableAttributes:function(e,t,r){var i=e.gl,n=this._program,a=this._locations,o;r?o=r.__enabledAttributeList:o=To[e.__uid__],o||(r?o=r.__enabledAttributeList=[]:o=To[e.__uid__]=[]);for(var s=[],f=0;f<t.length;f++){var l=t[f];if(!this.attributes[l]){s[f]=-1;continue}var u=a[l];if(u==null){if(u=i.getAttribLocation(n,l),u===-1){s[f]=-1;continue}a[l]=u}s[f]=u,o[u]?o[u]=xo:o[u]=yo}for(var f=0;f<o.length;f++)switch(o[f]){case yo:i.enableVertexAttribArray(f),o[f]=Bn;break;case xo:o[f]=Bn;break;case Bn:i.disableVertexAttribArray(f),o[f]=0;break}return s},getAttribLocation:function(e,t){var r=this._locations,i=r[t];return i==null&&(i=e.getAttribLocation(this._program,t),r[t]=i),i},buildProgram:function(e,t,r,i){var n=e.createShader(e.VERTEX_SHADER),a=e.createProgram();e.shaderSource(n,r),e.compileShader(n);var o=e.createShader(e.FRAGMENT_SHADER);e.shaderSource(o,i),e.compileShader(o);var s=Eo(e,n,r);if(s||(s=Eo(e,o,i),s))return s;if(e.attachShader(a,n),e.attachShader(a,o),t.attributeSemantics.POSITION)e.bindAttribLocation(a,0,t.attributeSemantics.POSITION.symbol);else{var f=Object.keys(this.attributes);e.bindAttribLocation(a,0,f[0])}if(e.linkProgram(a),e.deleteShader(n),e.deleteShader(o),this._program=a,this.vertexCode=r,this.fragmentCode=i,!e.getProgramParameter(a,e.LINK_STATUS))return`Could not link program
`+e.getProgramInfoLog(a);for(var l=0;l<t.uniforms.length;l++){var u=t.uniforms[l];this._locations[u]=e.getUniformLocation(a,u)}}}),Ao=Gu;var zu=/for\s*?\(int\s*?_idx_\s*\=\s*([\w-]+)\;\s*_idx_\s*<\s*([\w-]+);\s*_idx_\s*\+\+\s*\)\s*\{\{([\s\S]+?)(?=\}\})\}\}/g;function wo(e,t,r){function i(o,s,f,l){var u="";isNaN(s)&&(s in t?s=t[s]:s=n[s]),isNaN(f)&&(f in t?f=t[f]:f=n[f]);for(var c=parseInt(s);c<parseInt(f);c++)u+="{"+l.replace(/float\s*\(\s*_idx_\s*\)/g,c.toFixed(1)).replace(/_idx_/g,c)+"}";return u}var n={};for(var a in r)n[a+"_COUNT"]=r[a];return e.replace(zu,i)}function Fn(e,t,r){var i=[];if(t)for(var n in t){var a=t[n];a>0&&i.push("#define "+n.toUpperCase()+"_COUNT "+a)}if(r)for(var o=0;o<r.length;o++){var s=r[o];i.push("#define "+s.toUpperCase()+"_ENABLED")}for(var s in e){var f=e[s];f===null?i.push("#define "+s):i.push("#define "+s+" "+f.toString())}return i.join(`
`)}function Vu(e){for(var t=[],r=0;r<e.length;r++)t.push("#extension GL_"+e[r]+" : enable");return t.join(`
`)}function ku(e){return["precision",e,"float"].join(" ")+`;
`+["precision",e,"int"].join(" ")+`;
`+["precision",e,"sampler2D"].join(" ")+`;
`}function bo(e){this._renderer=e,this._cache={}}bo.prototype.getProgram=function(e,t,r){var i=this._cache,n=e.isSkinnedMesh&&e.isSkinnedMesh(),a=e.isInstancedMesh&&e.isInstancedMesh(),o="s"+t.shader.shaderID+"m"+t.getProgramKey();r&&(o+="se"+r.getProgramKey(e.lightGroup)),n&&(o+=",sk"+e.joints.length),a&&(o+=",is");var g=i[o];if(g)return g;var s=r?r.getLightsNumbers(e.lightGroup):{},f=this._renderer,l=f.gl,u=t.getEnabledTextures(),c="";if(n){var d={SKINNING:null,JOINT_COUNT:e.joints.length};e.joints.length>f.getMaxJointNumber()&&(d.USE_SKIN_MATRICES_TEXTURE=null),c+=`
`+Fn(d)+`
`}a&&(c+=`
#define INSTANCING
`);var h=c+Fn(t.vertexDefines,s,u),m=c+Fn(t.fragmentDefines,s,u),p=h+`
`+t.shader.vertex,v=["OES_standard_derivatives","EXT_shader_texture_lod"].filter(function(A){return f.getGLExtension(A)!=null});v.indexOf("EXT_shader_texture_lod")>=0&&(m+=`
#define SUPPORT_TEXTURE_LOD`),v.indexOf("OES_standard_derivatives")>=0&&(m+=`
#define SUPPORT_STANDARD_DERIVATIVES`);var _=Vu(v)+`
`+ku(t.precision)+`
`+m+`
`+t.shader.fragment,x=wo(p,t.vertexDefines,s),T=wo(_,t.fragmentDefines,s),g=new Ao;g.uniformSemantics=t.shader.uniformSemantics,g.attributes=t.shader.attributes;var E=g.buildProgram(l,t.shader,x,T);return g.__error=E,i[o]=g,g};var Co=bo;var Lo=/uniform\s+(bool|float|int|vec2|vec3|vec4|ivec2|ivec3|ivec4|mat2|mat3|mat4|sampler2D|samplerCube)\s+([\s\S]*?);/g,Wu=/attribute\s+(float|int|vec2|vec3|vec4)\s+([\s\S]*?);/g,Ro=/#define\s+(\w+)?(\s+[\d-.]+)?\s*;?\s*\n/g,Xu={bool:"1i",int:"1i",sampler2D:"t",samplerCube:"t",float:"1f",vec2:"2f",vec3:"3f",vec4:"4f",ivec2:"2i",ivec3:"3i",ivec4:"4i",mat2:"m2",mat3:"m3",mat4:"m4"};function St(e){for(var t=[],r=0;r<e;r++)t[r]=0;return t}var Do={bool:function(){return!0},int:function(){return 0},float:function(){return 0},sampler2D:function(){return null},samplerCube:function(){return null},vec2:function(){return St(2)},vec3:function(){return St(3)},vec4:function(){return St(4)},ivec2:function(){return St(2)},ivec3:function(){return St(3)},ivec4:function(){return St(4)},mat2:function(){return St(4)},mat3:function(){return St(9)},mat4:function(){return St(16)},array:function(){return[]}},Hn=["POSITION","NORMAL","BINORMAL","TANGENT","TEXCOORD","TEXCOORD_0","TEXCOORD_1","COLOR","JOINT","WEIGHT"],Po=["SKIN_MATRIX","VIEWPORT_SIZE","VIEWPORT","DEVICEPIXELRATIO","WINDOW_SIZE","NEAR","FAR","TIME"],Oo=["WORLD","VIEW","PROJECTION","WORLDVIEW","VIEWPROJECTION","WORLDVIEWPROJECTION","WORLDINVERSE","VIEWINVERSE","PROJECTIONINVERSE","WORLDVIEWINVERSE","VIEWPROJECTIONINVERSE","WORLDVIEWPROJECTIONINVERSE","WORLDTRANSPOSE","VIEWTRANSPOSE","PROJECTIONTRANSPOSE","WORLDVIEWTRANSPOSE","VIEWPROJECTIONTRANSPOSE","WORLDVIEWPROJECTIONTRANSPOSE","WORLDINVERSETRANSPOSE","VIEWINVERSETRANSPOSE","PROJECTIONINVERSETRANSPOSE","WORLDVIEWINVERSETRANSPOSE","VIEWPROJECTIONINVERSETRANSPOSE","WORLDVIEWPROJECTIONINVERSETRANSPOSE"],ju={vec4:4,vec3:3,vec2:2,float:1},Un={},Io={};function Yu(e,t){var r="vertex:"+e+"fragment:"+t;if(Un[r])return Un[r];var i=pe.genGUID();return Un[r]=i,Io[i]={vertex:e,fragment:t},i}function Mo(e){return e.replace(/[ \t]*\/\/.*\n/g,"").replace(/[ \t]*\/\*[\s\S]*?\*\//g,"")}function vr(){console.error("Wrong uniform/attributes syntax")}function No(e,t){for(var r=/[,=\(\):]/,i=t.replace(/:\s*\[\s*(.*)\s*\]/g,"="+e+"($1)").replace(/\s+/g,"").split(/(?=[,=\(\):])/g),n=[],a=0;a<i.length;a++)i[a].match(r)?n.push(i[a].charAt(0),i[a].slice(1)):n.push(i[a]);i=n;var o=0,s=1,f=2,l=3,u=4,c=5,d=o,h={},m=null,p;v(i[0]);function v(T){T||vr();var g=T.match(/\[(.*?)\]/);p=T.replace(/\[(.*?)\]/,""),h[p]={},g&&(h[p].isArray=!0,h[p].arraySize=g[1])}for(var a=1;a<i.length;a++){var _=i[a];if(_){if(_==="="){if(d!==o&&d!==l){vr();break}d=s;continue}else if(_===":"){d=u;continue}else if(_===","){if(d===f){if(!(m instanceof Array)){vr();break}m.push(+i[++a])}else d=c;continue}else if(_===")"){h[p].value=new ne.Float32Array(m),m=null,d=c;continue}else if(_==="("){if(d!==f){vr();break}if(!(m instanceof Array)){vr();break}m.push(+i[++a]);continue}else if(_.indexOf("vec")>=0){if(d!==s&&d!==u){vr();break}d=f,m=[];continue}else if(d===s){e==="bool"?h[p].value=_==="true":h[p].value=parseFloat(_),m=null;continue}else if(d===u){var x=_;Hn.indexOf(x)>=0||Po.indexOf(x)>=0||Oo.indexOf(x)>=0?h[p].semantic=x:x==="ignore"||x==="unconfigurable"?h[p].ignore=!0:e==="bool"?h[p].value=x==="true":h[p].value=parseFloat(x);continue}v(_),d=o}}return h}function Re(e,t){typeof e=="object"&&(t=e.fragment,e=e.vertex),e=Mo(e),t=Mo(t),this._shaderID=Yu(e,t),this._vertexCode=Re.parseImport(e),this._fragmentCode=Re.parseImport(t),this.attributeSemantics={},this.matrixSemantics={},this.uniformSemantics={},this.matrixSemanticKeys=[],this.uniformTemplates={},this.attributes={},this.textures={},this.vertexDefines={},this.fragmentDefines={},this._parseAttributes(),this._parseUniforms(),this._parseDefines()}Re.prototype={constructor:Re,createUniforms:function(){var e={};for(var t in this.uniformTemplates){var r=this.uniformTemplates[t];e[t]={type:r.type,value:r.value()}}return e},_parseImport:function(){this._vertexCode=Re.parseImport(this.vertex),this._fragmentCode=Re.parseImport(this.fragment)},_addSemanticUniform:function(e,t,r){if(Hn.indexOf(r)>=0)this.attributeSemantics[r]={symbol:e,type:t};else if(Oo.indexOf(r)>=0){var i=!1,n=r;r.match(/TRANSPOSE$/)&&(i=!0,n=r.slice(0,-9)),this.matrixSemantics[r]={symbol:e,type:t,isTranspose:i,semanticNoTranspose:n}}else Po.indexOf(r)>=0&&(this.uniformSemantics[r]={symbol:e,type:t})},_addMaterialUniform:function(e,t,r,i,n,a){a[e]={type:r,value:n?Do.array:i||Do[t],semantic:null}},_parseUniforms:function(){var e={},t=this,r="vertex";this._uniformList=[],this._vertexCode=this._vertexCode.replace(Lo,n),r="fragment",this._fragmentCode=this._fragmentCode.replace(Lo,n),t.matrixSemanticKeys=Object.keys(this.matrixSemantics);function i(a){return a!=null?function(){return a}:null}function n(a,o,s){var f=No(o,s),l=[];for(var u in f){var c=f[u],d=c.semantic,h=u,m=Xu[o],p=i(f[u].value);f[u].isArray&&(h+="["+f[u].arraySize+"]",m+="v"),l.push(h),t._uniformList.push(u),c.ignore||((o==="sampler2D"||o==="samplerCube")&&(t.textures[u]={shaderType:r,type:o}),d?t._addSemanticUniform(u,m,d):t._addMaterialUniform(u,o,m,p,f[u].isArray,e))}return l.length>0?"uniform "+o+" "+l.join(",")+`;
`:""}this.uniformTemplates=e},_parseAttributes:function(){var e={},t=this;this._vertexCode=this._vertexCode.replace(Wu,r);function r(i,n,a){var o=No(n,a),s=ju[n]||1,f=[];for(var l in o){var u=o[l].semantic;if(e[l]={type:"float",size:s,semantic:u||null},u){if(Hn.indexOf(u)<0)throw new Error('Unkown semantic "'+u+'"');t.attributeSemantics[u]={symbol:l,type:n}}f.push(l)}return"attribute "+n+" "+f.join(",")+`;
`}this.attributes=e},_parseDefines:function(){var e=this,t="vertex";this._vertexCode=this._vertexCode.replace(Ro,r),t="fragment",this._fragmentCode=this._fragmentCode.replace(Ro,r);function r(i,n,a){var o=t==="vertex"?e.vertexDefines:e.fragmentDefines;return o[n]||(a==="false"?o[n]=!1:a==="true"?o[n]=!0:o[n]=a?isNaN(parseFloat(a))?a.trim():parseFloat(a):null),""}},clone:function(){var e=Io[this._shaderID],t=new Re(e.vertex,e.fragment);return t}};Object.defineProperty&&(Object.defineProperty(Re.prototype,"shaderID",{get:function(){return this._shaderID}}),Object.defineProperty(Re.prototype,"vertex",{get:function(){return this._vertexCode}}),Object.defineProperty(Re.prototype,"fragment",{get:function(){return this._fragmentCode}}),Object.defineProperty(Re.prototype,"uniforms",{get:function(){return this._uniformList}}));var qu=/(@import)\s*([0-9a-zA-Z_\-\.]*)/g;Re.parseImport=function(e){return e=e.replace(qu,function(n,r,i){var n=Re.source(i);return n?Re.parseImport(n):(console.error('Shader chunk "'+i+'" not existed in library'),"")}),e};var Zu=/(@export)\s*([0-9a-zA-Z_\-\.]*)\s*\n([\s\S]*?)@end/g;Re.import=function(e){e.replace(Zu,function(t,r,i,a){var a=a.replace(/(^[\s\t\xa0\u3000]+)|([\u3000\xa0\s\t]+\x24)/g,"");if(a){for(var o=i.split("."),s=Re.codes,f=0,l;f<o.length-1;)l=o[f++],s[l]||(s[l]={}),s=s[l];l=o[f],s[l]=a}return a})};Re.codes={};Re.source=function(e){for(var t=e.split("."),r=Re.codes,i=0;r&&i<t.length;){var n=t[i++];r=r[n]}return typeof r!="string"?(console.error('Shader "'+e+'" not existed in library'),""):r};var N=Re;var xi=`@export clay.prez.vertex
uniform mat4 WVP : WORLDVIEWPROJECTION;
attribute vec3 pos : POSITION;
attribute vec2 uv : TEXCOORD_0;
uniform vec2 uvRepeat : [1.0, 1.0];
uniform vec2 uvOffset : [0.0, 0.0];
@import clay.chunk.skinning_header
@import clay.chunk.instancing_header
varying vec2 v_Texcoord;
void main()
{
 vec4 P = vec4(pos, 1.0);
#ifdef SKINNING
 @import clay.chunk.skin_matrix
 P = skinMatrixWS * P;
#endif
#ifdef INSTANCING
 @import clay.chunk.instancing_matrix
 P = instanceMat * P;
#endif
 gl_Position = WVP * P;
 v_Texcoord = uv * uvRepeat + uvOffset;
}
@end
@export clay.prez.fragment
uniform sampler2D alphaMap;
uniform float alphaCutoff: 0.0;
varying vec2 v_Texcoord;
void main()
{
 if (alphaCutoff > 0.0) {
 if (texture2D(alphaMap, v_Texcoord).a <= alphaCutoff) {
 discard;
 }
 }
 gl_FragColor = vec4(0.0,0.0,0.0,1.0);
}
@end`;N.import(xi);var me=L.create,Bo={};function Fo(e){return e.material}function Ku(e,t,r){return t.uniforms[r].value}function Qu(e,t,r,i){return r!==i}function Ju(e){return!0}function Uo(){}var Ho={float:S.FLOAT,byte:S.BYTE,ubyte:S.UNSIGNED_BYTE,short:S.SHORT,ushort:S.UNSIGNED_SHORT};function $u(e,t,r){this.availableAttributes=e,this.availableAttributeSymbols=t,this.indicesBuffer=r,this.vao=null}function ec(e){var t,r;this.bind=function(i){t||(t=ne.createCanvas(),t.width=t.height=1,t.getContext("2d"));var n=i.gl,a=!r;a&&(r=n.createTexture()),n.bindTexture(n.TEXTURE_2D,r),a&&n.texImage2D(n.TEXTURE_2D,0,n.RGBA,n.RGBA,n.UNSIGNED_BYTE,t)},this.unbind=function(i){i.gl.bindTexture(i.gl.TEXTURE_2D,null)},this.isRenderable=function(){return!0}}var Ut=le.extend(function(){return{canvas:null,_width:100,_height:100,devicePixelRatio:typeof window<"u"&&window.devicePixelRatio||1,clearColor:[0,0,0,0],clearBit:17664,alpha:!0,depth:!0,stencil:!1,antialias:!0,premultipliedAlpha:!0,preserveDrawingBuffer:!1,throwError:!0,gl:null,viewport:{},maxJointNumber:20,__currentFrameBuffer:null,_viewportStack:[],_clearStack:[],_sceneRendering:null}},function(){this.canvas||(this.canvas=ne.createCanvas());var e=this.canvas;try{var t={alpha:this.alpha,depth:this.depth,stencil:this.stencil,antialias:this.antialias,premultipliedAlpha:this.premultipliedAlpha,preserveDrawingBuffer:this.preserveDrawingBuffer};if(this.gl=e.getContext("webgl",t)||e.getContext("experimental-webgl",t),!this.gl)throw new Error;this._glinfo=new co(this.gl),this.gl.targetRenderer&&console.error("Already created a renderer"),this.gl.targetRenderer=this,this.resize()}catch(r){throw"Error creating WebGL Context "+r}this._programMgr=new Co(this),this._placeholderTexture=new ec(this)},{resize:function(e,t){var r=this.canvas,i=this.devicePixelRatio;e!=null?(r.style&&(r.style.width=e+"px",r.style.height=t+"px"),r.width=e*i,r.height=t*i,this._width=e,this._height=t):(this._width=r.width/i,this._height=r.height/i),this.setViewport(0,0,this._width,this._height)},getWidth:function(){return this._width},getHeight:function(){return this._height},getViewportAspect:function(){var e=this.viewport;return e.width/e.height},setDevicePixelRatio:function(e){this.devicePixelRatio=e,this.resize(this._width,this._height)},getDevicePixelRatio:function(){return this.devicePixelRatio},getGLExtension:function(e){return this._glinfo.getExtension(e)},getGLParameter:function(e){return this._glinfo.getParameter(e)},setViewport:function(e,t,r,i,n){if(typeof e=="object"){var a=e;e=a.x,t=a.y,r=a.width,i=a.height,n=a.devicePixelRatio}n=n||this.devicePixelRatio,this.gl.viewport(e*n,t*n,r*n,i*n),this.viewport={x:e,y:t,width:r,height:i,devicePixelRatio:n}},saveViewport:function(){this._viewportStack.push(this.viewport)},restoreViewport:function(){this._viewportStack.length>0&&this.setViewport(this._viewportStack.pop())},saveClear:function(){this._clearStack.push({clearBit:this.clearBit,clearColor:this.clearColor})},restoreClear:function(){if(this._clearStack.length>0){var e=this._clearStack.pop();this.clearColor=e.clearColor,this.clearBit=e.clearBit}},bindSceneRendering:function(e){this._sceneRendering=e},render:function(e,t,r,i){var n=this.gl,a=this.clearColor;if(this.clearBit){n.colorMask(!0,!0,!0,!0),n.depthMask(!0);var o=this.viewport,s=!1,f=o.devicePixelRatio;(o.width!==this._width||o.height!==this._height||f&&f!==this.devicePixelRatio||o.x||o.y)&&(s=!0,n.enable(n.SCISSOR_TEST),n.scissor(o.x*f,o.y*f,o.width*f,o.height*f)),n.clearColor(a[0],a[1],a[2],a[3]),n.clear(this.clearBit),s&&n.disable(n.SCISSOR_TEST)}if(r||e.update(!1),e.updateLights(),t=t||e.getMainCamera(),!t){console.error("Can't find camera in the scene.");return}t.update();var l=e.updateRenderList(t,!0);this._sceneRendering=e;var u=l.opaque,c=l.transparent,d=e.material;e.trigger("beforerender",this,e,t,l),i?(this.renderPreZ(u,e,t),n.depthFunc(n.LEQUAL)):n.depthFunc(n.LESS);for(var h=me(),m=y.create(),p=0;p<c.length;p++){var v=c[p];L.multiplyAffine(h,t.viewMatrix.array,v.worldTransform.array),y.transformMat4(m,v.position.array,h),v.__depth=m[2]}this.renderPass(u,t,{getMaterial:function(_){return d||_.material},sortCompare:this.opaqueSortCompare}),this.renderPass(c,t,{getMaterial:function(_){return d||_.material},sortCompare:this.transparentSortCompare}),e.trigger("afterrender",this,e,t,l),this._sceneRendering=null},getProgram:function(e,t,r){return t=t||e.material,this._programMgr.getProgram(e,t,r)},validateProgram:function(e){if(e.__error){var t=e.__error;if(Bo[e.__uid__])return;if(Bo[e.__uid__]=!0,this.throwError)throw new Error(t);this.trigger("error",t)}},updatePrograms:function(e,t,r){var i=r&&r.getMaterial||Fo;t=t||null;for(var n=0;n<e.length;n++){var a=e[n],o=i.call(this,a);if(n>0){var s=e[n-1],f=s.joints?s.joints.length:0,l=a.joints?a.joints.length:0;if(l===f&&a.material===s.material&&a.lightGroup===s.lightGroup){a.__program=s.__program;continue}}var u=this._programMgr.getProgram(a,o,t);this.validateProgram(u),a.__program=u}},renderPass:function(e,t,r){this.trigger("beforerenderpass",this,e,t,r),r=r||{},r.getMaterial=r.getMaterial||Fo,r.getUniform=r.getUniform||Ku,r.isMaterialChanged=r.isMaterialChanged||Qu,r.beforeRender=r.beforeRender||Uo,r.afterRender=r.afterRender||Uo;var i=r.ifRender||Ju;this.updatePrograms(e,this._sceneRendering,r),r.sortCompare&&e.sort(r.sortCompare);var n=this.viewport,a=n.devicePixelRatio,o=[n.x*a,n.y*a,n.width*a,n.height*a],s=this.devicePixelRatio,f=this.__currentFrameBuffer?[this.__currentFrameBuffer.getTextureWidth(),this.__currentFrameBuffer.getTextureHeight()]:[this._width*s,this._height*s],l=[o[2],o[3]],u=Date.now();t?(L.copy(de.VIEW,t.viewMatrix.array),L.copy(de.PROJECTION,t.projectionMatrix.array),L.copy(de.VIEWINVERSE,t.worldTransform.array)):(L.identity(de.VIEW),L.identity(de.PROJECTION),L.identity(de.VIEWINVERSE)),L.multiply(de.VIEWPROJECTION,de.PROJECTION,de.VIEW),L.invert(de.PROJECTIONINVERSE,de.PROJECTION),L.invert(de.VIEWPROJECTIONINVERSE,de.VIEWPROJECTION);for(var c=this.gl,d=this._sceneRendering,h,m,p,v,_,x,T,g,E,A,R,w,D=null,W=0;W<e.length;W++){var P=e[W],H=P.worldTransform!=null,F;if(i(P)){H&&(F=P.isSkinnedMesh&&P.isSkinnedMesh()?P.offsetMatrix?P.offsetMatrix.array:de.IDENTITY:P.worldTransform.array);var B=P.geometry,z=r.getMaterial.call(this,P),Y=P.__program,ie=z.shader,Fe=B.__uid__+"-"+Y.__uid__,Ue=Fe!==A;A=Fe,Ue&&D&&D.bindVertexArrayOES(null),H&&(L.copy(de.WORLD,F),L.multiply(de.WORLDVIEWPROJECTION,de.VIEWPROJECTION,F),L.multiplyAffine(de.WORLDVIEW,de.VIEW,F),(ie.matrixSemantics.WORLDINVERSE||ie.matrixSemantics.WORLDINVERSETRANSPOSE)&&L.invert(de.WORLDINVERSE,F),(ie.matrixSemantics.WORLDVIEWINVERSE||ie.matrixSemantics.WORLDVIEWINVERSETRANSPOSE)&&L.invert(de.WORLDVIEWINVERSE,de.WORLDVIEW),(ie.matrixSemantics.WORLDVIEWPROJECTIONINVERSE||ie.matrixSemantics.WORLDVIEWPROJECTIONINVERSETRANSPOSE)&&L.invert(de.WORLDVIEWPROJECTIONINVERSE,de.WORLDVIEWPROJECTION)),P.beforeRender&&P.beforeRender(this),r.beforeRender.call(this,P,z,h);var Ke=Y!==m;Ke?(Y.bind(this),Y.setUniformOfSemantic(c,"VIEWPORT",o),Y.setUniformOfSemantic(c,"WINDOW_SIZE",f),t&&(Y.setUniformOfSemantic(c,"NEAR",t.near),Y.setUniformOfSemantic(c,"FAR",t.far)),Y.setUniformOfSemantic(c,"DEVICEPIXELRATIO",a),Y.setUniformOfSemantic(c,"TIME",u),Y.setUniformOfSemantic(c,"VIEWPORT_SIZE",l),d&&d.setLightUniforms(Y,P.lightGroup,this)):Y=m,(Ke||r.isMaterialChanged(P,p,z,h))&&(z.depthTest!==v&&(z.depthTest?c.enable(c.DEPTH_TEST):c.disable(c.DEPTH_TEST),v=z.depthTest),z.depthMask!==_&&(c.depthMask(z.depthMask),_=z.depthMask),z.transparent!==E&&(z.transparent?c.enable(c.BLEND):c.disable(c.BLEND),E=z.transparent),z.transparent&&(z.blend?z.blend(c):(c.blendEquationSeparate(c.FUNC_ADD,c.FUNC_ADD),c.blendFuncSeparate(c.SRC_ALPHA,c.ONE_MINUS_SRC_ALPHA,c.ONE,c.ONE_MINUS_SRC_ALPHA))),w=this._bindMaterial(P,z,Y,p||null,h||null,m||null,r.getUniform),h=z);var rt=ie.matrixSemanticKeys;if(H)for(var je=0;je<rt.length;je++){var Ye=rt[je],ct=ie.matrixSemantics[Ye],ht=de[Ye];if(ct.isTranspose){var it=de[ct.semanticNoTranspose];L.transpose(ht,it)}Y.setUniform(c,ct.type,ct.symbol,ht)}P.cullFace!==T&&(T=P.cullFace,c.cullFace(T)),P.frontFace!==g&&(g=P.frontFace,c.frontFace(g)),P.culling!==x&&(x=P.culling,x?c.enable(c.CULL_FACE):c.disable(c.CULL_FACE)),this._updateSkeleton(P,Y,w),Ue&&(R=this._bindVAO(D,ie,B,Y)),this._renderObject(P,R,Y),r.afterRender(this,P),P.afterRender&&P.afterRender(this),m=Y,p=P}}D&&D.bindVertexArrayOES(null),this.trigger("afterrenderpass",this,e,t,r)},getMaxJointNumber:function(){return this.maxJointNumber},_updateSkeleton:function(e,t,r){var i=this.gl,n=e.skeleton;if(n)if(n.update(),e.joints.length>this.getMaxJointNumber()){var a=n.getSubSkinMatricesTexture(e.__uid__,e.joints);t.useTextureSlot(this,a,r),t.setUniform(i,"1i","skinMatricesTexture",r),t.setUniform(i,"1f","skinMatricesTextureSize",a.width)}else{var o=n.getSubSkinMatrices(e.__uid__,e.joints);t.setUniformOfSemantic(i,"SKIN_MATRIX",o)}},_renderObject:function(e,t,r){var i=this.gl,n=e.geometry,a=e.mode;a==null&&(a=4);var o=null,s=e.isInstancedMesh&&e.isInstancedMesh();if(s&&(o=this.getGLExtension("ANGLE_instanced_arrays"),!o)){console.warn("Device not support ANGLE_instanced_arrays extension");return}var f;if(s&&(f=this._bindInstancedAttributes(e,r,o)),t.indicesBuffer){var l=this.getGLExtension("OES_element_index_uint"),u=l&&n.indices instanceof Uint32Array,c=u?i.UNSIGNED_INT:i.UNSIGNED_SHORT;s?o.drawElementsInstancedANGLE(a,t.indicesBuffer.count,c,0,e.getInstanceCount()):i.drawElements(a,t.indicesBuffer.count,c,0)}else s?o.drawArraysInstancedANGLE(a,0,n.vertexCount,e.getInstanceCount()):i.drawArrays(a,0,n.vertexCount);if(s)for(var d=0;d<f.length;d++)i.disableVertexAttribArray(f[d])},_bindInstancedAttributes:function(e,t,r){for(var i=this.gl,n=e.getInstancedAttributesBuffers(this),a=[],o=0;o<n.length;o++){var s=n[o],f=t.getAttribLocation(i,s.symbol);if(!(f<0)){var l=Ho[s.type]||i.FLOAT;i.enableVertexAttribArray(f),i.bindBuffer(i.ARRAY_BUFFER,s.buffer),i.vertexAttribPointer(f,s.size,l,!1,0,0),r.vertexAttribDivisorANGLE(f,s.divisor),a.push(f)}}return a},_bindMaterial:function(e,t,r,i,n,a,o){for(var s=this.gl,f=a===r,l=r.currentTextureSlot(),u=t.getEnabledUniforms(),c=t.getTextureUniforms(),d=this._placeholderTexture,h=0;h<c.length;h++){var m=c[h],p=o(e,t,m),v=t.uniforms[m].type;if(v==="t"&&p)p.__slot=-1;else if(v==="tv")for(var _=0;_<p.length;_++)p[_]&&(p[_].__slot=-1)}d.__slot=-1;for(var h=0;h<u.length;h++){var m=u[h],x=t.uniforms[m],p=o(e,t,m),v=x.type,T=v==="t";if(T&&(!p||!p.isRenderable())&&(p=d),n&&f){var g=o(i,n,m);if(T&&(!g||!g.isRenderable())&&(g=d),g===p){if(T)r.takeCurrentTextureSlot(this,null);else if(v==="tv"&&p)for(var _=0;_<p.length;_++)r.takeCurrentTextureSlot(this,null);continue}}if(p!=null)if(T)if(p.__slot<0){var E=r.currentTextureSlot(),A=r.setUniform(s,"1i",m,E);A&&(r.takeCurrentTextureSlot(this,p),p.__slot=E)}else r.setUniform(s,"1i",m,p.__slot);else if(Array.isArray(p)){if(p.length===0)continue;if(v==="tv"){if(!r.hasUniform(m))continue;for(var R=[],_=0;_<p.length;_++){var w=p[_];if(w.__slot<0){var E=r.currentTextureSlot();R.push(E),r.takeCurrentTextureSlot(this,w),w.__slot=E}else R.push(w.__slot)}r.setUniform(s,"1iv",m,R)}else r.setUniform(s,x.type,m,p)}else r.setUniform(s,x.type,m,p)}var D=r.currentTextureSlot();return r.resetTextureSlot(l),D},_bindVAO:function(e,t,r,i){var n=!r.dynamic,a=this.gl,o=this.__uid__+"-"+i.__uid__,s=r.__vaoCache[o];if(!s){var f=r.getBufferChunks(this);if(!f||!f.length)return;for(var l=f[0],u=l.attributeBuffers,g=l.indicesBuffer,T=[],c=[],d=0;d<u.length;d++){var h=u[d],m=h.name,p=h.semantic,v;if(p){var _=t.attributeSemantics[p];v=_&&_.symbol}else v=m;v&&i.attributes[v]&&(T.push(h),c.push(v))}s=new $u(T,c,g),n&&(r.__vaoCache[o]=s)}var x=!0;e&&n&&(s.vao==null?s.vao=e.createVertexArrayOES():x=!1,e.bindVertexArrayOES(s.vao));var T=s.availableAttributes,g=s.indicesBuffer;if(x){for(var E=i.enableAttributes(this,s.availableAttributeSymbols,e&&n&&s),d=0;d<T.length;d++){var A=E[d];if(A!==-1){var h=T[d],R=h.buffer,w=h.size,D=Ho[h.type]||a.FLOAT;a.bindBuffer(a.ARRAY_BUFFER,R),a.vertexAttribPointer(A,w,D,!1,0,0)}}r.isUseIndices()&&a.bindBuffer(a.ELEMENT_ARRAY_BUFFER,g.buffer)}return s},renderPreZ:function(e,t,r){var i=this.gl,n=this._prezMaterial||new He({shader:new N(N.source("clay.prez.vertex"),N.source("clay.prez.fragment"))});this._prezMaterial=n,i.colorMask(!1,!1,!1,!1),i.depthMask(!0),this.renderPass(e,r,{ifRender:function(a){return!a.ignorePreZ},isMaterialChanged:function(a,o){var s=a.material,f=o.material;return s.get("diffuseMap")!==f.get("diffuseMap")||(s.get("alphaCutoff")||0)!==(f.get("alphaCutoff")||0)},getUniform:function(a,o,s){if(s==="alphaMap")return a.material.get("diffuseMap");if(s==="alphaCutoff"){if(a.material.isDefined("fragment","ALPHA_TEST")&&a.material.get("diffuseMap")){var f=a.material.get("alphaCutoff");return f||0}return 0}else return s==="uvRepeat"?a.material.get("uvRepeat"):s==="uvOffset"?a.material.get("uvOffset"):o.get(s)},getMaterial:function(){return n},sort:this.opaqueSortCompare}),i.colorMask(!0,!0,!0,!0),i.depthMask(!0)},disposeScene:function(e){this.disposeNode(e,!0,!0),e.dispose()},disposeNode:function(e,t,r){e.getParent()&&e.getParent().remove(e);var i={};e.traverse(function(n){var a=n.material;if(n.geometry&&t&&n.geometry.dispose(this),r&&a&&!i[a.__uid__]){for(var o=a.getTextureUniforms(),s=0;s<o.length;s++){var f=o[s],l=a.uniforms[f].value,u=a.uniforms[f].type;if(l){if(u==="t")l.dispose&&l.dispose(this);else if(u==="tv")for(var c=0;c<l.length;c++)l[c]&&l[c].dispose&&l[c].dispose(this)}}i[a.__uid__]=!0}n.dispose&&n.dispose(this)},this)},disposeGeometry:function(e){e.dispose(this)},disposeTexture:function(e){e.dispose(this)},disposeFrameBuffer:function(e){e.dispose(this)},dispose:function(){},screenToNDC:function(e,t,r){r||(r=new Pe),t=this._height-t;var i=this.viewport,n=r.array;return n[0]=(e-i.x)/i.width,n[0]=n[0]*2-1,n[1]=(t-i.y)/i.height,n[1]=n[1]*2-1,r}});Ut.opaqueSortCompare=Ut.prototype.opaqueSortCompare=function(e,t){return e.renderOrder===t.renderOrder?e.__program===t.__program?e.material===t.material?e.geometry.__uid__-t.geometry.__uid__:e.material.__uid__-t.material.__uid__:e.__program&&t.__program?e.__program.__uid__-t.__program.__uid__:0:e.renderOrder-t.renderOrder};Ut.transparentSortCompare=Ut.prototype.transparentSortCompare=function(e,t){return e.renderOrder===t.renderOrder?e.__depth===t.__depth?e.__program===t.__program?e.material===t.material?e.geometry.__uid__-t.geometry.__uid__:e.material.__uid__-t.material.__uid__:e.__program&&t.__program?e.__program.__uid__-t.__program.__uid__:0:e.__depth-t.__depth:e.renderOrder-t.renderOrder};var de={IDENTITY:me(),WORLD:me(),VIEW:me(),PROJECTION:me(),WORLDVIEW:me(),VIEWPROJECTION:me(),WORLDVIEWPROJECTION:me(),WORLDINVERSE:me(),VIEWINVERSE:me(),PROJECTIONINVERSE:me(),WORLDVIEWINVERSE:me(),VIEWPROJECTIONINVERSE:me(),WORLDVIEWPROJECTIONINVERSE:me(),WORLDTRANSPOSE:me(),VIEWTRANSPOSE:me(),PROJECTIONTRANSPOSE:me(),WORLDVIEWTRANSPOSE:me(),VIEWPROJECTIONTRANSPOSE:me(),WORLDVIEWPROJECTIONTRANSPOSE:me(),WORLDINVERSETRANSPOSE:me(),VIEWINVERSETRANSPOSE:me(),PROJECTIONINVERSETRANSPOSE:me(),WORLDVIEWINVERSETRANSPOSE:me(),VIEWPROJECTIONINVERSETRANSPOSE:me(),WORLDVIEWPROJECTIONINVERSETRANSPOSE:me()};Ut.COLOR_BUFFER_BIT=S.COLOR_BUFFER_BIT;Ut.DEPTH_BUFFER_BIT=S.DEPTH_BUFFER_BIT;Ut.STENCIL_BUFFER_BIT=S.STENCIL_BUFFER_BIT;var Ht=Ut;var jr="__dt__",Ti=function(){this._contextId=0,this._caches=[],this._context={}};Ti.prototype={use:function(e,t){var r=this._caches;r[e]||(r[e]={},t&&(r[e]=t())),this._contextId=e,this._context=r[e]},put:function(e,t){this._context[e]=t},get:function(e){return this._context[e]},dirty:function(e){e=e||"";var t=jr+e;this.put(t,!0)},dirtyAll:function(e){e=e||"";for(var t=jr+e,r=this._caches,i=0;i<r.length;i++)r[i]&&(r[i][t]=!0)},fresh:function(e){e=e||"";var t=jr+e;this.put(t,!1)},freshAll:function(e){e=e||"";for(var t=jr+e,r=this._caches,i=0;i<r.length;i++)r[i]&&(r[i][t]=!1)},isDirty:function(e){e=e||"";var t=jr+e,r=this._context;return!r.hasOwnProperty(t)||r[t]===!0},deleteContext:function(e){delete this._caches[e],this._context={}},delete:function(e){delete this._context[e]},clearAll:function(){this._caches={}},getContext:function(){return this._context},eachContext:function(e,t){var r=Object.keys(this._caches);r.forEach(function(i){e&&e.call(t,i)})},miss:function(e){return!this._context.hasOwnProperty(e)}};Ti.prototype.constructor=Ti;var _r=Ti;var $=le.extend({width:512,height:512,type:S.UNSIGNED_BYTE,format:S.RGBA,wrapS:S.REPEAT,wrapT:S.REPEAT,minFilter:S.LINEAR_MIPMAP_LINEAR,magFilter:S.LINEAR,useMipmap:!0,anisotropic:1,flipY:!0,sRGB:!0,unpackAlignment:4,premultiplyAlpha:!1,dynamic:!1,NPOT:!1,__used:0},function(){this._cache=new _r},{getWebGLTexture:function(e){var t=e.gl,r=this._cache;return r.use(e.__uid__),r.miss("webgl_texture")&&r.put("webgl_texture",t.createTexture()),this.dynamic?this.update(e):r.isDirty()&&(this.update(e),r.fresh()),r.get("webgl_texture")},bind:function(){},unbind:function(){},dirty:function(){this._cache&&this._cache.dirtyAll()},update:function(e){},updateCommon:function(e){var t=e.gl;t.pixelStorei(t.UNPACK_FLIP_Y_WEBGL,this.flipY),t.pixelStorei(t.UNPACK_PREMULTIPLY_ALPHA_WEBGL,this.premultiplyAlpha),t.pixelStorei(t.UNPACK_ALIGNMENT,this.unpackAlignment),this.format===S.DEPTH_COMPONENT&&(this.useMipmap=!1);var r=e.getGLExtension("EXT_sRGB");this.format===$.SRGB&&!r&&(this.format=$.RGB),this.format===$.SRGB_ALPHA&&!r&&(this.format=$.RGBA),this.NPOT=!this.isPowerOfTwo()},getAvailableWrapS:function(){return this.NPOT?S.CLAMP_TO_EDGE:this.wrapS},getAvailableWrapT:function(){return this.NPOT?S.CLAMP_TO_EDGE:this.wrapT},getAvailableMinFilter:function(){var e=this.minFilter;return this.NPOT||!this.useMipmap?e===S.NEAREST_MIPMAP_NEAREST||e===S.NEAREST_MIPMAP_LINEAR?S.NEAREST:e===S.LINEAR_MIPMAP_LINEAR||e===S.LINEAR_MIPMAP_NEAREST?S.LINEAR:e:e},getAvailableMagFilter:function(){return this.magFilter},nextHighestPowerOfTwo:function(e){--e;for(var t=1;t<32;t<<=1)e=e|e>>t;return e+1},dispose:function(e){var t=this._cache;t.use(e.__uid__);var r=t.get("webgl_texture");r&&e.gl.deleteTexture(r),t.deleteContext(e.__uid__)},isRenderable:function(){},isPowerOfTwo:function(){}});Object.defineProperty($.prototype,"width",{get:function(){return this._width},set:function(e){this._width=e}});Object.defineProperty($.prototype,"height",{get:function(){return this._height},set:function(e){this._height=e}});$.BYTE=S.BYTE;$.UNSIGNED_BYTE=S.UNSIGNED_BYTE;$.SHORT=S.SHORT;$.UNSIGNED_SHORT=S.UNSIGNED_SHORT;$.INT=S.INT;$.UNSIGNED_INT=S.UNSIGNED_INT;$.FLOAT=S.FLOAT;$.HALF_FLOAT=36193;$.UNSIGNED_INT_24_8_WEBGL=34042;$.DEPTH_COMPONENT=S.DEPTH_COMPONENT;$.DEPTH_STENCIL=S.DEPTH_STENCIL;$.ALPHA=S.ALPHA;$.RGB=S.RGB;$.RGBA=S.RGBA;$.LUMINANCE=S.LUMINANCE;$.LUMINANCE_ALPHA=S.LUMINANCE_ALPHA;$.SRGB=35904;$.SRGB_ALPHA=35906;$.COMPRESSED_RGB_S3TC_DXT1_EXT=33776;$.COMPRESSED_RGBA_S3TC_DXT1_EXT=33777;$.COMPRESSED_RGBA_S3TC_DXT3_EXT=33778;$.COMPRESSED_RGBA_S3TC_DXT5_EXT=33779;$.NEAREST=S.NEAREST;$.LINEAR=S.LINEAR;$.NEAREST_MIPMAP_NEAREST=S.NEAREST_MIPMAP_NEAREST;$.LINEAR_MIPMAP_NEAREST=S.LINEAR_MIPMAP_NEAREST;$.NEAREST_MIPMAP_LINEAR=S.NEAREST_MIPMAP_LINEAR;$.LINEAR_MIPMAP_LINEAR=S.LINEAR_MIPMAP_LINEAR;$.REPEAT=S.REPEAT;$.CLAMP_TO_EDGE=S.CLAMP_TO_EDGE;$.MIRRORED_REPEAT=S.MIRRORED_REPEAT;var I=$;var Ei={};Ei.isPowerOfTwo=function(e){return(e&e-1)===0};Ei.nextPowerOfTwo=function(e){return e--,e|=e>>1,e|=e>>2,e|=e>>4,e|=e>>8,e|=e>>16,e++,e};Ei.nearestPowerOfTwo=function(e){return Math.pow(2,Math.round(Math.log(e)/Math.LN2))};var Si=Ei;var Go=Si.isPowerOfTwo;function zo(e){return Math.pow(2,Math.round(Math.log(e)/Math.LN2))}function tc(e,t){var r=zo(e.width),i=zo(e.height);t=t||document.createElement("canvas"),t.width=r,t.height=i;var n=t.getContext("2d");return n.drawImage(e.image,0,0,r,i),t}var Gn=I.extend(function(){return{image:null,pixels:null,mipmaps:[],convertToPOT:!1}},{textureType:"texture2D",update:function(e){var t=e.gl;t.bindTexture(t.TEXTURE_2D,this._cache.get("webgl_texture")),this.updateCommon(e);var r=this.format,i=this.type,n=!!(this.convertToPOT&&!this.mipmaps.length&&this.image&&(this.wrapS===I.REPEAT||this.wrapT===I.REPEAT)&&this.NPOT);t.texParameteri(t.TEXTURE_2D,t.TEXTURE_WRAP_S,n?this.wrapS:this.getAvailableWrapS()),t.texParameteri(t.TEXTURE_2D,t.TEXTURE_WRAP_T,n?this.wrapT:this.getAvailableWrapT()),t.texParameteri(t.TEXTURE_2D,t.TEXTURE_MAG_FILTER,n?this.magFilter:this.getAvailableMagFilter()),t.texParameteri(t.TEXTURE_2D,t.TEXTURE_MIN_FILTER,n?this.minFilter:this.getAvailableMinFilter());var a=e.getGLExtension("EXT_texture_filter_anisotropic");if(a&&this.anisotropic>1&&t.texParameterf(t.TEXTURE_2D,a.TEXTURE_MAX_ANISOTROPY_EXT,this.anisotropic),i===36193){var o=e.getGLExtension("OES_texture_half_float");o||(i=S.FLOAT)}if(this.mipmaps.length)for(var s=this.width,f=this.height,l=0;l<this.mipmaps.length;l++){var u=this.mipmaps[l];this._updateTextureData(t,u,l,s,f,r,i,!1),s/=2,f/=2}else this._updateTextureData(t,this,0,this.width,this.height,r,i,n),this.useMipmap&&(!this.NPOT||n)&&t.generateMipmap(t.TEXTURE_2D);t.bindTexture(t.TEXTURE_2D,null)},_updateTextureData:function(e,t,r,i,n,a,o,s){if(t.image){var f=t.image;s&&(this._potCanvas=tc(this,this._potCanvas),f=this._potCanvas),e.texImage2D(e.TEXTURE_2D,r,a,a,o,f)}else a<=I.COMPRESSED_RGBA_S3TC_DXT5_EXT&&a>=I.COMPRESSED_RGB_S3TC_DXT1_EXT?e.compressedTexImage2D(e.TEXTURE_2D,r,a,i,n,0,t.pixels):e.texImage2D(e.TEXTURE_2D,r,a,i,n,0,a,o,t.pixels)},generateMipmap:function(e){var t=e.gl;this.useMipmap&&!this.NPOT&&(t.bindTexture(t.TEXTURE_2D,this._cache.get("webgl_texture")),t.generateMipmap(t.TEXTURE_2D))},isPowerOfTwo:function(){return Go(this.width)&&Go(this.height)},isRenderable:function(){return this.image?this.image.width>0&&this.image.height>0:!!(this.width&&this.height)},bind:function(e){e.gl.bindTexture(e.gl.TEXTURE_2D,this.getWebGLTexture(e))},unbind:function(e){e.gl.bindTexture(e.gl.TEXTURE_2D,null)},load:function(e,t){var r=ne.createImage();t&&(r.crossOrigin=t);var i=this;return r.onload=function(){i.dirty(),i.trigger("success",i)},r.onerror=function(){i.trigger("error",i)},r.src=e,this.image=r,this}});Object.defineProperty(Gn.prototype,"width",{get:function(){return this.image?this.image.width:this._width},set:function(e){this.image?console.warn("Texture from image can't set width"):(this._width!==e&&this.dirty(),this._width=e)}});Object.defineProperty(Gn.prototype,"height",{get:function(){return this.image?this.image.height:this._height},set:function(e){this.image?console.warn("Texture from image can't set height"):(this._height!==e&&this.dirty(),this._height=e)}});var X=Gn;function Vo(e){return{byte:ne.Int8Array,ubyte:ne.Uint8Array,short:ne.Int16Array,ushort:ne.Uint16Array}[e]||ne.Float32Array}function zn(e){return"attr_"+e}function gr(e,t,r,i){switch(this.name=e,this.type=t,this.size=r,this.semantic=i||"",this.value=null,r){case 1:this.get=function(n){return this.value[n]},this.set=function(n,a){this.value[n]=a},this.copy=function(n,a){this.value[n]=this.value[n]};break;case 2:this.get=function(n,a){var o=this.value;return a[0]=o[n*2],a[1]=o[n*2+1],a},this.set=function(n,a){var o=this.value;o[n*2]=a[0],o[n*2+1]=a[1]},this.copy=function(n,a){var o=this.value;a*=2,n*=2,o[n]=o[a],o[n+1]=o[a+1]};break;case 3:this.get=function(n,a){var o=n*3,s=this.value;return a[0]=s[o],a[1]=s[o+1],a[2]=s[o+2],a},this.set=function(n,a){var o=n*3,s=this.value;s[o]=a[0],s[o+1]=a[1],s[o+2]=a[2]},this.copy=function(n,a){var o=this.value;a*=3,n*=3,o[n]=o[a],o[n+1]=o[a+1],o[n+2]=o[a+2]};break;case 4:this.get=function(n,a){var o=this.value,s=n*4;return a[0]=o[s],a[1]=o[s+1],a[2]=o[s+2],a[3]=o[s+3],a},this.set=function(n,a){var o=this.value,s=n*4;o[s]=a[0],o[s+1]=a[1],o[s+2]=a[2],o[s+3]=a[3]},this.copy=function(n,a){var o=this.value;a*=4,n*=4,o[n]=o[a],o[n+1]=o[a+1],o[n+2]=o[a+2],o[n+3]=o[a+3]}}}gr.prototype.init=function(e){if(!this.value||this.value.length!==e*this.size){var t=Vo(this.type);this.value=new t(e*this.size)}};gr.prototype.fromArray=function(e){var t=Vo(this.type),r;if(e[0]&&e[0].length){var i=0,n=this.size;r=new t(e.length*n);for(var a=0;a<e.length;a++)for(var o=0;o<n;o++)r[i++]=e[a][o]}else r=new t(e);this.value=r};gr.prototype.clone=function(e){var t=new gr(this.name,this.type,this.size,this.semantic);return e&&console.warn("todo"),t};function ko(e,t,r,i,n){this.name=e,this.type=t,this.buffer=r,this.size=i,this.semantic=n,this.symbol="",this.needsRemove=!1}function Wo(e){this.buffer=e,this.count=0}var At=le.extend(function(){return{attributes:{},indices:null,dynamic:!0,_enabledAttributes:null,__used:0}},function(){this._cache=new _r,this._attributeList=Object.keys(this.attributes),this.__vaoCache={}},{mainAttribute:"",pick:null,pickByRay:null,dirty:function(){for(var e=this.getEnabledAttributes(),t=0;t<e.length;t++)this.dirtyAttribute(e[t]);this.dirtyIndices(),this._enabledAttributes=null,this._cache.dirty("any")},dirtyIndices:function(){this._cache.dirtyAll("indices")},dirtyAttribute:function(e){this._cache.dirtyAll(zn(e)),this._cache.dirtyAll("attributes")},getTriangleIndices:function(e,t){if(e<this.triangleCount&&e>=0){t||(t=[]);var r=this.indices;return t[0]=r[e*3],t[1]=r[e*3+1],t[2]=r[e*3+2],t}},setTriangleIndices:function(e,t){var r=this.indices;r[e*3]=t[0],r[e*3+1]=t[1],r[e*3+2]=t[2]},isUseIndices:function(){return!!this.indices},initIndicesFromArray:function(e){var t,r=this.vertexCount>65535?ne.Uint32Array:ne.Uint16Array;if(e[0]&&e[0].length){var i=0,n=3;t=new r(e.length*n);for(var a=0;a<e.length;a++)for(var o=0;o<n;o++)t[i++]=e[a][o]}else t=new r(e);this.indices=t},createAttribute:function(e,t,r,i){var n=new gr(e,t,r,i);return this.attributes[e]&&this.removeAttribute(e),this.attributes[e]=n,this._attributeList.push(e),n},removeAttribute:function(e){var t=this._attributeList,r=t.indexOf(e);return r>=0?(t.splice(r,1),delete this.attributes[e],!0):!1},getAttribute:function(e){return this.attributes[e]},getEnabledAttributes:function(){var e=this._enabledAttributes,t=this._attributeList;if(e)return e;for(var r=[],i=this.vertexCount,n=0;n<t.length;n++){var a=t[n],o=this.attributes[a];o.value&&o.value.length===i*o.size&&r.push(a)}return this._enabledAttributes=r,r},getBufferChunks:function(e){var t=this._cache;t.use(e.__uid__);var r=t.isDirty("attributes"),i=t.isDirty("indices");if(r||i){this._updateBuffer(e.gl,r,i);for(var n=this.getEnabledAttributes(),a=0;a<n.length;a++)t.fresh(zn(n[a]));t.fresh("attributes"),t.fresh("indices")}return t.fresh("any"),t.get("chunks")},_updateBuffer:function(e,t,r){var i=this._cache,n=i.get("chunks"),a=!1;n||(n=[],n[0]={attributeBuffers:[],indicesBuffer:null},i.put("chunks",n),a=!0);var o=n[0],s=o.attributeBuffers,f=o.indicesBuffer;if(t||a){var l=this.getEnabledAttributes(),u={};if(!a)for(var c=0;c<s.length;c++)u[s[c].name]=s[c];for(var d=0;d<l.length;d++){var h=l[d],m=this.attributes[h],p;a||(p=u[h]);var v;p?v=p.buffer:v=e.createBuffer(),i.isDirty(zn(h))&&(e.bindBuffer(e.ARRAY_BUFFER,v),e.bufferData(e.ARRAY_BUFFER,m.value,this.dynamic?e.DYNAMIC_DRAW:e.STATIC_DRAW)),s[d]=new ko(h,m.type,v,m.size,m.semantic)}for(var c=d;c<s.length;c++)e.deleteBuffer(s[c].buffer);s.length=d}this.isUseIndices()&&(r||a)&&(f||(f=new Wo(e.createBuffer()),o.indicesBuffer=f),f.count=this.indices.length,e.bindBuffer(e.ELEMENT_ARRAY_BUFFER,f.buffer),e.bufferData(e.ELEMENT_ARRAY_BUFFER,this.indices,this.dynamic?e.DYNAMIC_DRAW:e.STATIC_DRAW))},dispose:function(e){var t=this._cache;t.use(e.__uid__);var r=t.get("chunks");if(r)for(var i=0;i<r.length;i++){for(var n=r[i],a=0;a<n.attributeBuffers.length;a++){var o=n.attributeBuffers[a];e.gl.deleteBuffer(o.buffer)}n.indicesBuffer&&e.gl.deleteBuffer(n.indicesBuffer.buffer)}if(this.__vaoCache){var s=e.getGLExtension("OES_vertex_array_object");for(var f in this.__vaoCache){var l=this.__vaoCache[f].vao;l&&s.deleteVertexArrayOES(l)}}this.__vaoCache={},t.deleteContext(e.__uid__)}});Object.defineProperty&&(Object.defineProperty(At.prototype,"vertexCount",{enumerable:!1,get:function(){var e=this.attributes[this.mainAttribute];return e||(e=this.attributes[this._attributeList[0]]),!e||!e.value?0:e.value.length/e.size}}),Object.defineProperty(At.prototype,"triangleCount",{enumerable:!1,get:function(){var e=this.indices;return e?e.length/3:0}}));At.STATIC_DRAW=S.STATIC_DRAW;At.DYNAMIC_DRAW=S.DYNAMIC_DRAW;At.STREAM_DRAW=S.STREAM_DRAW;At.AttributeBuffer=ko;At.IndicesBuffer=Wo;At.Attribute=gr;var Gt=At;var We=y.create,yr=y.add,$t=y.set,yt=Gt.Attribute,er=Gt.extend(function(){return{attributes:{position:new yt("position","float",3,"POSITION"),texcoord0:new yt("texcoord0","float",2,"TEXCOORD_0"),texcoord1:new yt("texcoord1","float",2,"TEXCOORD_1"),normal:new yt("normal","float",3,"NORMAL"),tangent:new yt("tangent","float",4,"TANGENT"),color:new yt("color","float",4,"COLOR"),weight:new yt("weight","float",3,"WEIGHT"),joint:new yt("joint","float",4,"JOINT"),barycentric:new yt("barycentric","float",3,null)},boundingBox:null}},{mainAttribute:"position",updateBoundingBox:function(){var e=this.boundingBox;e||(e=this.boundingBox=new xe);var t=this.attributes.position.value;if(t&&t.length){var r=e.min,i=e.max,n=r.array,a=i.array;y.set(n,t[0],t[1],t[2]),y.set(a,t[0],t[1],t[2]);for(var o=3;o<t.length;){var s=t[o++],f=t[o++],l=t[o++];s<n[0]&&(n[0]=s),f<n[1]&&(n[1]=f),l<n[2]&&(n[2]=l),s>a[0]&&(a[0]=s),f>a[1]&&(a[1]=f),l>a[2]&&(a[2]=l)}r._dirty=!0,i._dirty=!0}},generateVertexNormals:function(){if(this.vertexCount){var e=this.indices,t=this.attributes,r=t.position.value,i=t.normal.value;if(!i||i.length!==r.length)i=t.normal.value=new ne.Float32Array(r.length);else for(var n=0;n<i.length;n++)i[n]=0;for(var a=We(),o=We(),s=We(),f=We(),l=We(),u=We(),c=e?e.length:this.vertexCount,d,h,m,p=0;p<c;){e?(d=e[p++],h=e[p++],m=e[p++]):(d=p++,h=p++,m=p++),$t(a,r[d*3],r[d*3+1],r[d*3+2]),$t(o,r[h*3],r[h*3+1],r[h*3+2]),$t(s,r[m*3],r[m*3+1],r[m*3+2]),y.sub(f,a,o),y.sub(l,o,s),y.cross(u,f,l);for(var n=0;n<3;n++)i[d*3+n]=i[d*3+n]+u[n],i[h*3+n]=i[h*3+n]+u[n],i[m*3+n]=i[m*3+n]+u[n]}for(var n=0;n<i.length;)$t(u,i[n],i[n+1],i[n+2]),y.normalize(u,u),i[n++]=u[0],i[n++]=u[1],i[n++]=u[2];this.dirty()}},generateFaceNormals:function(){if(this.vertexCount){this.isUniqueVertex()||this.generateUniqueVertex();var e=this.indices,t=this.attributes,r=t.position.value,i=t.normal.value,n=We(),a=We(),o=We(),s=We(),f=We(),l=We();i||(i=t.normal.value=new Float32Array(r.length));for(var u=e?e.length:this.vertexCount,c,d,h,m=0;m<u;){e?(c=e[m++],d=e[m++],h=e[m++]):(c=m++,d=m++,h=m++),$t(n,r[c*3],r[c*3+1],r[c*3+2]),$t(a,r[d*3],r[d*3+1],r[d*3+2]),$t(o,r[h*3],r[h*3+1],r[h*3+2]),y.sub(s,n,a),y.sub(f,a,o),y.cross(l,s,f),y.normalize(l,l);for(var p=0;p<3;p++)i[c*3+p]=l[p],i[d*3+p]=l[p],i[h*3+p]=l[p]}this.dirty()}},generateTangents:function(){if(this.vertexCount){var e=this.vertexCount,t=this.attributes;t.tangent.value||(t.tangent.value=new Float32Array(e*4));var r=t.texcoord0.value,i=t.position.value,n=t.tangent.value,a=t.normal.value;if(!r){console.warn("Geometry without texcoords can't generate tangents.");return}for(var o=[],s=[],f=0;f<e;f++)o[f]=[0,0,0],s[f]=[0,0,0];for(var l=[0,0,0],u=[0,0,0],c=this.indices,d=c?c.length:this.vertexCount,h,m,p,f=0;f<d;){c?(h=c[f++],m=c[f++],p=c[f++]):(h=f++,m=f++,p=f++);var v=r[h*2],_=r[m*2],x=r[p*2],T=r[h*2+1],g=r[m*2+1],E=r[p*2+1],A=i[h*3],R=i[m*3],w=i[p*3],D=i[h*3+1],W=i[m*3+1],P=i[p*3+1],H=i[h*3+2],F=i[m*3+2],B=i[p*3+2],z=R-A,Y=w-A,ie=W-D,Fe=P-D,Ue=F-H,Ke=B-H,rt=_-v,je=x-v,Ye=g-T,ct=E-T,ht=1/(rt*ct-Ye*je);l[0]=(ct*z-Ye*Y)*ht,l[1]=(ct*ie-Ye*Fe)*ht,l[2]=(ct*Ue-Ye*Ke)*ht,u[0]=(rt*Y-je*z)*ht,u[1]=(rt*Fe-je*ie)*ht,u[2]=(rt*Ke-je*Ue)*ht,yr(o[h],o[h],l),yr(o[m],o[m],l),yr(o[p],o[p],l),yr(s[h],s[h],u),yr(s[m],s[m],u),yr(s[p],s[p],u)}for(var it=We(),Rr=We(),_t=We(),f=0;f<e;f++){_t[0]=a[f*3],_t[1]=a[f*3+1],_t[2]=a[f*3+2];var fr=o[f];y.scale(it,_t,y.dot(_t,fr)),y.sub(it,fr,it),y.normalize(it,it),y.cross(Rr,_t,fr),n[f*4]=it[0],n[f*4+1]=it[1],n[f*4+2]=it[2],n[f*4+3]=y.dot(Rr,s[f])<0?-1:1}this.dirty()}},isUniqueVertex:function(){return this.isUseIndices()?this.vertexCount===this.indices.length:!0},generateUniqueVertex:function(){if(!(!this.vertexCount||!this.indices)){this.indices.length>65535&&(this.indices=new ne.Uint32Array(this.indices));for(var e=this.attributes,t=this.indices,r=this.getEnabledAttributes(),i={},n=0;n<r.length;n++){var a=r[n];i[a]=e[a].value,e[a].init(this.indices.length)}for(var o=0,s=0;s<t.length;s++){for(var f=t[s],n=0;n<r.length;n++)for(var a=r[n],l=e[a].value,u=e[a].size,c=0;c<u;c++)l[o*u+c]=i[a][f*u+c];t[s]=o,o++}this.dirty()}},generateBarycentric:function(){if(this.vertexCount){this.isUniqueVertex()||this.generateUniqueVertex();var e=this.attributes,t=e.barycentric.value,r=this.indices;if(!(t&&t.length===r.length*3)){t=e.barycentric.value=new Float32Array(r.length*3);for(var i=0;i<(r?r.length:this.vertexCount/3);)for(var n=0;n<3;n++){var a=r?r[i++]:i*3+n;t[a*3+n]=1}this.dirty()}}},applyTransform:function(e){var t=this.attributes,r=t.position.value,i=t.normal.value,n=t.tangent.value;e=e.array;var a=L.create();L.invert(a,e),L.transpose(a,a);var o=y.transformMat4,s=y.forEach;s(r,3,0,null,o,e),i&&s(i,3,0,null,o,a),n&&s(n,4,0,null,o,a),this.boundingBox&&this.updateBoundingBox()},dispose:function(e){var t=this._cache;t.use(e.__uid__);var r=t.get("chunks");if(r)for(var i=0;i<r.length;i++){for(var n=r[i],a=0;a<n.attributeBuffers.length;a++){var o=n.attributeBuffers[a];e.gl.deleteBuffer(o.buffer)}n.indicesBuffer&&e.gl.deleteBuffer(n.indicesBuffer.buffer)}if(this.__vaoCache){var s=e.getGLExtension("OES_vertex_array_object");for(var f in this.__vaoCache){var l=this.__vaoCache[f].vao;l&&s.deleteVertexArrayOES(l)}}this.__vaoCache={},t.deleteContext(e.__uid__)}});er.STATIC_DRAW=Gt.STATIC_DRAW;er.DYNAMIC_DRAW=Gt.DYNAMIC_DRAW;er.STREAM_DRAW=Gt.STREAM_DRAW;er.AttributeBuffer=Gt.AttributeBuffer;er.IndicesBuffer=Gt.IndicesBuffer;er.Attribute=yt;var Te=er;var Xo=`vec3 calcAmbientSHLight(int idx, vec3 N) {
 int offset = 9 * idx;
 return ambientSHLightCoefficients[0]
 + ambientSHLightCoefficients[1] * N.x
 + ambientSHLightCoefficients[2] * N.y
 + ambientSHLightCoefficients[3] * N.z
 + ambientSHLightCoefficients[4] * N.x * N.z
 + ambientSHLightCoefficients[5] * N.z * N.y
 + ambientSHLightCoefficients[6] * N.y * N.x
 + ambientSHLightCoefficients[7] * (3.0 * N.z * N.z - 1.0)
 + ambientSHLightCoefficients[8] * (N.x * N.x - N.y * N.y);
}`;var vt="uniform vec3 ",Yr="uniform float ",xr="@export clay.header.",Tr="@end",Ie=":unconfigurable;",jo=[xr+"directional_light",vt+"directionalLightDirection[DIRECTIONAL_LIGHT_COUNT]"+Ie,vt+"directionalLightColor[DIRECTIONAL_LIGHT_COUNT]"+Ie,Tr,xr+"ambient_light",vt+"ambientLightColor[AMBIENT_LIGHT_COUNT]"+Ie,Tr,xr+"ambient_sh_light",vt+"ambientSHLightColor[AMBIENT_SH_LIGHT_COUNT]"+Ie,vt+"ambientSHLightCoefficients[AMBIENT_SH_LIGHT_COUNT * 9]"+Ie,Xo,Tr,xr+"ambient_cubemap_light",vt+"ambientCubemapLightColor[AMBIENT_CUBEMAP_LIGHT_COUNT]"+Ie,"uniform samplerCube ambientCubemapLightCubemap[AMBIENT_CUBEMAP_LIGHT_COUNT]"+Ie,"uniform sampler2D ambientCubemapLightBRDFLookup[AMBIENT_CUBEMAP_LIGHT_COUNT]"+Ie,Tr,xr+"point_light",vt+"pointLightPosition[POINT_LIGHT_COUNT]"+Ie,Yr+"pointLightRange[POINT_LIGHT_COUNT]"+Ie,vt+"pointLightColor[POINT_LIGHT_COUNT]"+Ie,Tr,xr+"spot_light",vt+"spotLightPosition[SPOT_LIGHT_COUNT]"+Ie,vt+"spotLightDirection[SPOT_LIGHT_COUNT]"+Ie,Yr+"spotLightRange[SPOT_LIGHT_COUNT]"+Ie,Yr+"spotLightUmbraAngleCosine[SPOT_LIGHT_COUNT]"+Ie,Yr+"spotLightPenumbraAngleCosine[SPOT_LIGHT_COUNT]"+Ie,Yr+"spotLightFalloffFactor[SPOT_LIGHT_COUNT]"+Ie,vt+"spotLightColor[SPOT_LIGHT_COUNT]"+Ie,Tr].join(`
`);N.import(jo);var rc=Ve.extend(function(){return{color:[1,1,1],intensity:1,castShadow:!0,shadowResolution:512,group:0}},{type:"",clone:function(){var e=Ve.prototype.clone.call(this);return e.color=Array.prototype.slice.call(this.color),e.intensity=this.intensity,e.castShadow=this.castShadow,e.shadowResolution=this.shadowResolution,e}}),Be=rc;var Ai=function(e,t){this.normal=e||new C(0,1,0),this.distance=t||0};Ai.prototype={constructor:Ai,distanceToPoint:function(e){return y.dot(e.array,this.normal.array)-this.distance},projectPoint:function(e,t){t||(t=new C);var r=this.distanceToPoint(e);return y.scaleAndAdd(t.array,e.array,this.normal.array,-r),t._dirty=!0,t},normalize:function(){var e=1/y.len(this.normal.array);y.scale(this.normal.array,e),this.distance*=e},intersectFrustum:function(e){for(var t=e.vertices,r=this.normal.array,i=y.dot(t[0].array,r)>this.distance,n=1;n<8;n++)if(y.dot(t[n].array,r)>this.distance!=i)return!0},intersectLine:(function(){var e=y.create();return function(t,r,i){var n=this.distanceToPoint(t),a=this.distanceToPoint(r);if(n>0&&a>0||n<0&&a<0)return null;var o=this.normal.array,s=this.distance,f=t.array;y.sub(e,r.array,t.array),y.normalize(e,e);var l=y.dot(o,e);if(l===0)return null;i||(i=new C);var u=(y.dot(o,f)-s)/l;return y.scaleAndAdd(i.array,f,e,-u),i._dirty=!0,i}})(),applyTransform:(function(){var e=L.create(),t=M.create(),r=M.create();return r[3]=1,function(i){i=i.array,y.scale(r,this.normal.array,this.distance),M.transformMat4(r,r,i),this.distance=y.dot(r,this.normal.array),L.invert(e,i),L.transpose(e,e),t[3]=0,y.copy(t,this.normal.array),M.transformMat4(t,t,e),y.copy(this.normal.array,t)}})(),copy:function(e){y.copy(this.normal.array,e.normal.array),this.normal._dirty=!0,this.distance=e.distance},clone:function(){var e=new Ai;return e.copy(this),e}};var wi=Ai;var be=y.set,Yo=y.copy,qo=y.transformMat4,Vn=Math.min,kn=Math.max,Zo=function(){this.planes=[];for(var e=0;e<6;e++)this.planes.push(new wi);this.boundingBox=new xe,this.vertices=[];for(var e=0;e<8;e++)this.vertices[e]=y.fromValues(0,0,0)};Zo.prototype={setFromProjection:function(e){var t=this.planes,r=e.array,i=r[0],n=r[1],a=r[2],o=r[3],s=r[4],f=r[5],l=r[6],u=r[7],c=r[8],d=r[9],h=r[10],m=r[11],p=r[12],v=r[13],_=r[14],x=r[15];be(t[0].normal.array,o-i,u-s,m-c),t[0].distance=-(x-p),t[0].normalize(),be(t[1].normal.array,o+i,u+s,m+c),t[1].distance=-(x+p),t[1].normalize(),be(t[2].normal.array,o+n,u+f,m+d),t[2].distance=-(x+v),t[2].normalize(),be(t[3].normal.array,o-n,u-f,m-d),t[3].distance=-(x-v),t[3].normalize(),be(t[4].normal.array,o-a,u-l,m-h),t[4].distance=-(x-_),t[4].normalize(),be(t[5].normal.array,o+a,u+l,m+h),t[5].distance=-(x+_),t[5].normalize();var T=this.boundingBox,g=this.vertices;if(x===0){var E=f/i,A=-_/(h-1),R=-_/(h+1),w=-R/f,D=-A/f;T.min.set(-w*E,-w,R),T.max.set(w*E,w,A),be(g[0],-w*E,-w,R),be(g[1],-w*E,w,R),be(g[2],w*E,-w,R),be(g[3],w*E,w,R),be(g[4],-D*E,-D,A),be(g[5],-D*E,D,A),be(g[6],D*E,-D,A),be(g[7],D*E,D,A)}else{var W=(-1-p)/i,P=(1-p)/i,H=(1-v)/f,F=(-1-v)/f,B=(-1-_)/h,z=(1-_)/h;T.min.set(Math.min(W,P),Math.min(F,H),Math.min(z,B)),T.max.set(Math.max(P,W),Math.max(H,F),Math.max(B,z));var Y=T.min.array,ie=T.max.array;be(g[0],Y[0],Y[1],Y[2]),be(g[1],Y[0],ie[1],Y[2]),be(g[2],ie[0],Y[1],Y[2]),be(g[3],ie[0],ie[1],Y[2]),be(g[4],Y[0],Y[1],ie[2]),be(g[5],Y[0],ie[1],ie[2]),be(g[6],ie[0],Y[1],ie[2]),be(g[7],ie[0],ie[1],ie[2])}},getTransformedBoundingBox:(function(){var e=y.create();return function(t,r){var i=this.vertices,n=r.array,a=t.min,o=t.max,s=a.array,f=o.array,l=i[0];qo(e,l,n),Yo(s,e),Yo(f,e);for(var u=1;u<8;u++)l=i[u],qo(e,l,n),s[0]=Vn(e[0],s[0]),s[1]=Vn(e[1],s[1]),s[2]=Vn(e[2],s[2]),f[0]=kn(e[0],f[0]),f[1]=kn(e[1],f[1]),f[2]=kn(e[2],f[2]);return a._dirty=!0,o._dirty=!0,t}})()};var Er=Zo;var Wn=1e-5,bi=function(e,t){this.origin=e||new C,this.direction=t||new C};bi.prototype={constructor:bi,intersectPlane:function(e,t){var r=e.normal.array,i=e.distance,n=this.origin.array,a=this.direction.array,o=y.dot(r,a);if(o===0)return null;t||(t=new C);var s=(y.dot(r,n)-i)/o;return y.scaleAndAdd(t.array,n,a,-s),t._dirty=!0,t},mirrorAgainstPlane:function(e){var t=y.dot(e.normal.array,this.direction.array);y.scaleAndAdd(this.direction.array,this.direction.array,e.normal.array,-t*2),this.direction._dirty=!0},distanceToPoint:(function(){var e=y.create();return function(t){y.sub(e,t,this.origin.array);var r=y.dot(e,this.direction.array);if(r<0)return y.distance(this.origin.array,t);var i=y.lenSquared(e);return Math.sqrt(i-r*r)}})(),intersectSphere:(function(){var e=y.create();return function(t,r,i){var n=this.origin.array,a=this.direction.array;t=t.array,y.sub(e,t,n);var o=y.dot(e,a),s=y.squaredLength(e),f=s-o*o,l=r*r;if(!(f>l)){var u=Math.sqrt(l-f),c=o-u,d=o+u;return i||(i=new C),c<0?d<0?null:(y.scaleAndAdd(i.array,n,a,d),i):(y.scaleAndAdd(i.array,n,a,c),i)}}})(),intersectBoundingBox:function(e,t){var r=this.direction.array,i=this.origin.array,n=e.min.array,a=e.max.array,o=1/r[0],s=1/r[1],f=1/r[2],l,u,c,d,h,m;if(o>=0?(l=(n[0]-i[0])*o,u=(a[0]-i[0])*o):(u=(n[0]-i[0])*o,l=(a[0]-i[0])*o),s>=0?(c=(n[1]-i[1])*s,d=(a[1]-i[1])*s):(d=(n[1]-i[1])*s,c=(a[1]-i[1])*s),l>d||c>u||((c>l||l!==l)&&(l=c),(d<u||u!==u)&&(u=d),f>=0?(h=(n[2]-i[2])*f,m=(a[2]-i[2])*f):(m=(n[2]-i[2])*f,h=(a[2]-i[2])*f),l>m||h>u)||((h>l||l!==l)&&(l=h),(m<u||u!==u)&&(u=m),u<0))return null;var p=l>=0?l:u;return t||(t=new C),y.scaleAndAdd(t.array,i,r,p),t},intersectTriangle:(function(){var e=y.create(),t=y.create(),r=y.create(),i=y.create();return function(n,a,o,s,f,l){var u=this.direction.array,c=this.origin.array;n=n.array,a=a.array,o=o.array,y.sub(e,a,n),y.sub(t,o,n),y.cross(i,t,u);var d=y.dot(e,i);if(s){if(d>-Wn)return null}else if(d>-Wn&&d<Wn)return null;y.sub(r,c,n);var h=y.dot(i,r)/d;if(h<0||h>1)return null;y.cross(i,e,r);var m=y.dot(u,i)/d;if(m<0||m>1||h+m>1)return null;y.cross(i,e,t);var p=-y.dot(r,i)/d;return p<0?null:(f||(f=new C),l&&C.set(l,1-h-m,h,m),y.scaleAndAdd(f.array,c,u,p),f)}})(),applyTransform:function(e){C.add(this.direction,this.direction,this.origin),C.transformMat4(this.origin,this.origin,e),C.transformMat4(this.direction,this.direction,e),C.sub(this.direction,this.direction,this.origin),C.normalize(this.direction,this.direction)},copy:function(e){C.copy(this.origin,e.origin),C.copy(this.direction,e.direction)},clone:function(){var e=new bi;return e.copy(this),e}};var tr=bi;var ic=Ve.extend(function(){return{projectionMatrix:new O,invProjectionMatrix:new O,viewMatrix:new O,frustum:new Er}},function(){this.update(!0)},{update:function(e){Ve.prototype.update.call(this,e),O.invert(this.viewMatrix,this.worldTransform),this.updateProjectionMatrix(),O.invert(this.invProjectionMatrix,this.projectionMatrix),this.frustum.setFromProjection(this.projectionMatrix)},setViewMatrix:function(e){O.copy(this.viewMatrix,e),O.invert(this.worldTransform,e),this.decomposeWorldTransform()},decomposeProjectionMatrix:function(){},setProjectionMatrix:function(e){O.copy(this.projectionMatrix,e),O.invert(this.invProjectionMatrix,e),this.decomposeProjectionMatrix()},updateProjectionMatrix:function(){},castRay:(function(){var e=M.create();return function(t,r){var i=r!==void 0?r:new tr,n=t.array[0],a=t.array[1];return M.set(e,n,a,-1,1),M.transformMat4(e,e,this.invProjectionMatrix.array),M.transformMat4(e,e,this.worldTransform.array),y.scale(i.origin.array,e,1/e[3]),M.set(e,n,a,1,1),M.transformMat4(e,e,this.invProjectionMatrix.array),M.transformMat4(e,e,this.worldTransform.array),y.scale(e,e,1/e[3]),y.sub(i.direction.array,e,i.origin.array),y.normalize(i.direction.array,i.direction.array),i.direction._dirty=!0,i.origin._dirty=!0,i}})()}),wt=ic;var nc=L.create(),Ko=L.create(),Xn={};function ac(e){var t=[],r=Object.keys(e);r.sort();for(var i=0;i<r.length;i++){var n=r[i];t.push(n+" "+e[n])}var a=t.join(`
`);if(Xn[a])return Xn[a];var o=pe.genGUID();return Xn[a]=o,o}function Ci(){this.opaque=[],this.transparent=[],this._opaqueCount=0,this._transparentCount=0}Ci.prototype.startCount=function(){this._opaqueCount=0,this._transparentCount=0};Ci.prototype.add=function(e,t){t?this.transparent[this._transparentCount++]=e:this.opaque[this._opaqueCount++]=e};Ci.prototype.endCount=function(){this.transparent.length=this._transparentCount,this.opaque.length=this._opaqueCount};var oc=Ve.extend(function(){return{material:null,lights:[],viewBoundingBoxLastFrame:new xe,shadowUniforms:{},_cameraList:[],_lightUniforms:{},_previousLightNumber:{},_lightNumber:{},_lightProgramKeys:{},_nodeRepository:{},_renderLists:new gi(20)}},function(){this._scene=this},{addToScene:function(e){e instanceof wt?(this._cameraList.length>0&&console.warn("Found multiple camera in one scene. Use the fist one."),this._cameraList.push(e)):e instanceof Be&&this.lights.push(e),e.name&&(this._nodeRepository[e.name]=e)},removeFromScene:function(e){var t;e instanceof wt?(t=this._cameraList.indexOf(e),t>=0&&this._cameraList.splice(t,1)):e instanceof Be&&(t=this.lights.indexOf(e),t>=0&&this.lights.splice(t,1)),e.name&&delete this._nodeRepository[e.name]},getNode:function(e){return this._nodeRepository[e]},setMainCamera:function(e){var t=this._cameraList.indexOf(e);t>=0&&this._cameraList.splice(t,1),this._cameraList.unshift(e)},getMainCamera:function(){return this._cameraList[0]},getLights:function(){return this.lights},updateLights:function(){var e=this.lights;this._previousLightNumber=this._lightNumber;for(var t={},r=0;r<e.length;r++){var i=e[r];if(!i.invisible){var n=i.group;t[n]||(t[n]={}),t[n][i.type]=t[n][i.type]||0,t[n][i.type]++}}this._lightNumber=t;for(var a in t)this._lightProgramKeys[a]=ac(t[a]);this._updateLightUniforms()},cloneNode:function(e){var t=e.clone(),r={};function i(n,a){r[n.__uid__]=a;for(var o=0;o<n._children.length;o++){var s=n._children[o],f=a._children[o];i(s,f)}}return i(e,t),t.traverse(function(n){n.skeleton&&(n.skeleton=n.skeleton.clone(r)),n.material&&(n.material=n.material.clone())}),t},updateRenderList:function(e,t){var r=e.__uid__,i=this._renderLists.get(r);i||(i=new Ci,this._renderLists.put(r,i)),i.startCount(),t&&(this.viewBoundingBoxLastFrame.min.set(1/0,1/0,1/0),this.viewBoundingBoxLastFrame.max.set(-1/0,-1/0,-1/0));var n=this.material&&this.material.transparent||!1;return this._doUpdateRenderList(this,e,n,i,t),i.endCount(),i},getRenderList:function(e){return this._renderLists.get(e.__uid__)},_doUpdateRenderList:function(e,t,r,i,n){if(!e.invisible)for(var a=0;a<e._children.length;a++){var o=e._children[a];if(o.isRenderable()){var s=o.isSkinnedMesh()?nc:o.worldTransform.array,f=o.geometry;L.multiplyAffine(Ko,t.viewMatrix.array,s),(n&&!f.boundingBox||!this.isFrustumCulled(o,t,Ko))&&i.add(o,o.material.transparent||r)}o._children.length>0&&this._doUpdateRenderList(o,t,r,i,n)}},isFrustumCulled:(function(){var e=new xe,t=new O;return function(r,i,n){var a=r.boundingBox;if(a||(r.skeleton&&r.skeleton.boundingBox?a=r.skeleton.boundingBox:a=r.geometry.boundingBox),!a)return!1;if(t.array=n,e.transformFrom(a,t),r.castShadow&&this.viewBoundingBoxLastFrame.union(e),r.frustumCulling){if(!e.intersectBoundingBox(i.frustum.boundingBox))return!0;t.array=i.projectionMatrix.array,e.max.array[2]>0&&e.min.array[2]<0&&(e.max.array[2]=-1e-20),e.applyProjection(t);var o=e.min.array,s=e.max.array;if(s[0]<-1||o[0]>1||s[1]<-1||o[1]>1||s[2]<-1||o[2]>1)return!0}return!1}})(),_updateLightUniforms:function(){var e=this.lights;e.sort(sc);var t=this._lightUniforms;for(var r in t)for(var i in t[r])t[r][i].value.length=0;for(var n=0;n<e.length;n++){var a=e[n];if(!a.invisible){var r=a.group;for(var i in a.uniformTemplates){var o=a.uniformTemplates[i],s=o.value(a);if(s!=null){t[r]||(t[r]={}),t[r][i]||(t[r][i]={type:"",value:[]});var f=t[r][i];switch(f.type=o.type+"v",o.type){case"1i":case"1f":case"t":f.value.push(s);break;case"2f":case"3f":case"4f":for(var l=0;l<s.length;l++)f.value.push(s[l]);break;default:console.error("Unkown light uniform type "+o.type)}}}}}},getLightGroups:function(){var e=[];for(var t in this._lightNumber)e.push(t);return e},getNumberChangedLightGroups:function(){var e=[];for(var t in this._lightNumber)this.isLightNumberChanged(t)&&e.push(t);return e},isLightNumberChanged:function(e){var t=this._previousLightNumber,r=this._lightNumber;for(var i in r[e])if(!t[e]||r[e][i]!==t[e][i])return!0;for(var i in t[e])if(!r[e]||r[e][i]!==t[e][i])return!0;return!1},getLightsNumbers:function(e){return this._lightNumber[e]},getProgramKey:function(e){return this._lightProgramKeys[e]},setLightUniforms:(function(){function e(t,r,i){for(var n in t){var a=t[n];if(a.type==="tv"){if(!r.hasUniform(n))continue;for(var o=[],s=0;s<a.value.length;s++){var f=a.value[s],l=r.takeCurrentTextureSlot(i,f);o.push(l)}r.setUniform(i.gl,"1iv",n,o)}else r.setUniform(i.gl,a.type,n,a.value)}}return function(t,r,i){e(this._lightUniforms[r],t,i),e(this.shadowUniforms,t,i)}})(),dispose:function(){this.material=null,this._opaqueList=[],this._transparentList=[],this.lights=[],this._lightUniforms={},this._lightNumber={},this._nodeRepository={}}});function sc(e,t){if(t.castShadow&&!e.castShadow)return!0}var et=oc;var Li=Si.isPowerOfTwo,fc=["px","nx","py","ny","pz","nz"],jn=I.extend(function(){return{image:{px:null,nx:null,py:null,ny:null,pz:null,nz:null},pixels:{px:null,nx:null,py:null,ny:null,pz:null,nz:null},mipmaps:[]}},{textureType:"textureCube",update:function(e){var t=e.gl;t.bindTexture(t.TEXTURE_CUBE_MAP,this._cache.get("webgl_texture")),this.updateCommon(e);var r=this.format,i=this.type;t.texParameteri(t.TEXTURE_CUBE_MAP,t.TEXTURE_WRAP_S,this.getAvailableWrapS()),t.texParameteri(t.TEXTURE_CUBE_MAP,t.TEXTURE_WRAP_T,this.getAvailableWrapT()),t.texParameteri(t.TEXTURE_CUBE_MAP,t.TEXTURE_MAG_FILTER,this.getAvailableMagFilter()),t.texParameteri(t.TEXTURE_CUBE_MAP,t.TEXTURE_MIN_FILTER,this.getAvailableMinFilter());var n=e.getGLExtension("EXT_texture_filter_anisotropic");if(n&&this.anisotropic>1&&t.texParameterf(t.TEXTURE_CUBE_MAP,n.TEXTURE_MAX_ANISOTROPY_EXT,this.anisotropic),i===36193){var a=e.getGLExtension("OES_texture_half_float");a||(i=S.FLOAT)}if(this.mipmaps.length)for(var o=this.width,s=this.height,f=0;f<this.mipmaps.length;f++){var l=this.mipmaps[f];this._updateTextureData(t,l,f,o,s,r,i),o/=2,s/=2}else this._updateTextureData(t,this,0,this.width,this.height,r,i),!this.NPOT&&this.useMipmap&&t.generateMipmap(t.TEXTURE_CUBE_MAP);t.bindTexture(t.TEXTURE_CUBE_MAP,null)},_updateTextureData:function(e,t,r,i,n,a,o){for(var s=0;s<6;s++){var f=fc[s],l=t.image&&t.image[f];l?e.texImage2D(e.TEXTURE_CUBE_MAP_POSITIVE_X+s,r,a,a,o,l):e.texImage2D(e.TEXTURE_CUBE_MAP_POSITIVE_X+s,r,a,i,n,0,a,o,t.pixels&&t.pixels[f])}},generateMipmap:function(e){var t=e.gl;this.useMipmap&&!this.NPOT&&(t.bindTexture(t.TEXTURE_CUBE_MAP,this._cache.get("webgl_texture")),t.generateMipmap(t.TEXTURE_CUBE_MAP))},bind:function(e){e.gl.bindTexture(e.gl.TEXTURE_CUBE_MAP,this.getWebGLTexture(e))},unbind:function(e){e.gl.bindTexture(e.gl.TEXTURE_CUBE_MAP,null)},isPowerOfTwo:function(){return this.image.px?Li(this.image.px.width)&&Li(this.image.px.height):Li(this.width)&&Li(this.height)},isRenderable:function(){return this.image.px?Sr(this.image.px)&&Sr(this.image.nx)&&Sr(this.image.py)&&Sr(this.image.ny)&&Sr(this.image.pz)&&Sr(this.image.nz):!!(this.width&&this.height)},load:function(e,t){var r=0,i=this;return pe.each(e,function(n,a){var o=ne.createImage();t&&(o.crossOrigin=t),o.onload=function(){r--,r===0&&(i.dirty(),i.trigger("success",i))},o.onerror=function(){r--},r++,o.src=n,i.image[a]=o}),this}});Object.defineProperty(jn.prototype,"width",{get:function(){return this.image&&this.image.px?this.image.px.width:this._width},set:function(e){this.image&&this.image.px?console.warn("Texture from image can't set width"):(this._width!==e&&this.dirty(),this._width=e)}});Object.defineProperty(jn.prototype,"height",{get:function(){return this.image&&this.image.px?this.image.px.height:this._height},set:function(e){this.image&&this.image.px?console.warn("Texture from image can't set height"):(this._height!==e&&this.dirty(),this._height=e)}});function Sr(e){return e.width>0&&e.height>0}var bt=jn;var lc=wt.extend({fov:50,aspect:1,near:.1,far:2e3},{updateProjectionMatrix:function(){var e=this.fov/180*Math.PI;this.projectionMatrix.perspective(e,this.aspect,this.near,this.far)},decomposeProjectionMatrix:function(){var e=this.projectionMatrix.array,t=Math.atan(1/e[5])*2;this.fov=t/Math.PI*180,this.aspect=e[5]/e[0],this.near=e[14]/(e[10]-1),this.far=e[14]/(e[10]+1)},clone:function(){var e=wt.prototype.clone.call(this);return e.fov=this.fov,e.aspect=this.aspect,e.near=this.near,e.far=this.far,e}}),Ee=lc;var Ri="framebuffer",Ct="renderbuffer",Qo=Ct+"_width",Jo=Ct+"_height",Yn=Ct+"_attached",qn="depthtexture_attached",rr=S.FRAMEBUFFER,qr=S.RENDERBUFFER,Zr=S.DEPTH_ATTACHMENT,$o=S.COLOR_ATTACHMENT0,Kr=le.extend({depthBuffer:!0,viewport:null,_width:0,_height:0,_textures:null,_boundRenderer:null},function(){this._cache=new _r,this._textures={}},{getTextureWidth:function(){return this._width},getTextureHeight:function(){return this._height},bind:function(e){if(e.__currentFrameBuffer){if(e.__currentFrameBuffer===this)return;console.warn("Renderer already bound with another framebuffer. Unbind it first")}e.__currentFrameBuffer=this;var t=e.gl;t.bindFramebuffer(rr,this._getFrameBufferGL(e)),this._boundRenderer=e;var r=this._cache;r.put("viewport",e.viewport);var i=!1,n,a;for(var o in this._textures){i=!0;var s=this._textures[o];s&&(n=s.texture.width,a=s.texture.height,this._doAttach(e,s.texture,o,s.target))}this._width=n,this._height=a,!i&&this.depthBuffer&&console.error("Must attach texture before bind, or renderbuffer may have incorrect width and height."),this.viewport?e.setViewport(this.viewport):e.setViewport(0,0,n,a,1);var f=r.get("attached_textures");if(f){for(var o in f)if(!this._textures[o]){var l=f[o];this._doDetach(t,o,l)}}if(!r.get(qn)&&this.depthBuffer){r.miss(Ct)&&r.put(Ct,t.createRenderbuffer());var u=r.get(Ct);(n!==r.get(Qo)||a!==r.get(Jo))&&(t.bindRenderbuffer(qr,u),t.renderbufferStorage(qr,t.DEPTH_COMPONENT16,n,a),r.put(Qo,n),r.put(Jo,a),t.bindRenderbuffer(qr,null)),r.get(Yn)||(t.framebufferRenderbuffer(rr,Zr,qr,u),r.put(Yn,!0))}},unbind:function(e){e.__currentFrameBuffer=null;var t=e.gl;t.bindFramebuffer(rr,null),this._boundRenderer=null,this._cache.use(e.__uid__);var r=this._cache.get("viewport");r&&e.setViewport(r),this.updateMipmap(e)},updateMipmap:function(e){var t=e.gl;for(var r in this._textures){var i=this._textures[r];if(i){var n=i.texture;if(!n.NPOT&&n.useMipmap&&n.minFilter===I.LINEAR_MIPMAP_LINEAR){var a=n.textureType==="textureCube"?S.TEXTURE_CUBE_MAP:S.TEXTURE_2D;t.bindTexture(a,n.getWebGLTexture(e)),t.generateMipmap(a),t.bindTexture(a,null)}}}},checkStatus:function(e){return e.checkFramebufferStatus(rr)},_getFrameBufferGL:function(e){var t=this._cache;return t.use(e.__uid__),t.miss(Ri)&&t.put(Ri,e.gl.createFramebuffer()),t.get(Ri)},attach:function(e,t,r){if(!e.width)throw new Error("The texture attached to color buffer is not a valid.");t=t||$o,r=r||S.TEXTURE_2D;var i=this._boundRenderer,n=i&&i.gl,a;if(n){var o=this._cache;o.use(i.__uid__),a=o.get("attached_textures")}var s=this._textures[t];if(!(s&&s.target===r&&s.texture===e&&a&&a[t]!=null)){var f=!0;i&&(f=this._doAttach(i,e,t,r),this.viewport||i.setViewport(0,0,e.width,e.height,1)),f&&(this._textures[t]=this._textures[t]||{},this._textures[t].texture=e,this._textures[t].target=r)}},_doAttach:function(e,t,r,i){var n=e.gl,a=t.getWebGLTexture(e),o=this._cache.get("attached_textures");if(o&&o[r]){var s=o[r];if(s.texture===t&&s.target===i)return}r=+r;var f=!0;if(r===Zr||r===S.DEPTH_STENCIL_ATTACHMENT){var l=e.getGLExtension("WEBGL_depth_texture");if(l||(console.error("Depth texture is not supported by the browser"),f=!1),t.format!==S.DEPTH_COMPONENT&&t.format!==S.DEPTH_STENCIL&&(console.error("The texture attached to depth buffer is not a valid."),f=!1),f){var u=this._cache.get(Ct);u&&(n.framebufferRenderbuffer(rr,Zr,qr,null),n.deleteRenderbuffer(u),this._cache.put(Ct,!1)),this._cache.put(Yn,!1),this._cache.put(qn,!0)}}return n.framebufferTexture2D(rr,r,i,a,0),o||(o={},this._cache.put("attached_textures",o)),o[r]=o[r]||{},o[r].texture=t,o[r].target=i,f},_doDetach:function(e,t,r){e.framebufferTexture2D(rr,t,r,null,0);var i=this._cache.get("attached_textures");i&&i[t]&&(i[t]=null),(t===Zr||t===S.DEPTH_STENCIL_ATTACHMENT)&&this._cache.put(qn,!1)},detach:function(e,t){if(this._textures[e]=null,this._boundRenderer){var r=this._cache;r.use(this._boundRenderer.__uid__),this._doDetach(this._boundRenderer.gl,e,t)}},dispose:function(e){var t=e.gl,r=this._cache;r.use(e.__uid__);var i=r.get(Ct);i&&t.deleteRenderbuffer(i);var n=r.get(Ri);n&&t.deleteFramebuffer(n),r.deleteContext(e.__uid__),this._textures={}}});Kr.DEPTH_ATTACHMENT=Zr;Kr.COLOR_ATTACHMENT0=$o;Kr.STENCIL_ATTACHMENT=S.STENCIL_ATTACHMENT;Kr.DEPTH_STENCIL_ATTACHMENT=S.DEPTH_STENCIL_ATTACHMENT;var ue=Kr;var uc=["px","nx","py","ny","pz","nz"],cc=le.extend(function(){var e={position:new C,far:1e3,near:.1,texture:null,shadowMapPass:null},t=e._cameras={px:new Ee({fov:90}),nx:new Ee({fov:90}),py:new Ee({fov:90}),ny:new Ee({fov:90}),pz:new Ee({fov:90}),nz:new Ee({fov:90})};return t.px.lookAt(C.POSITIVE_X,C.NEGATIVE_Y),t.nx.lookAt(C.NEGATIVE_X,C.NEGATIVE_Y),t.py.lookAt(C.POSITIVE_Y,C.POSITIVE_Z),t.ny.lookAt(C.NEGATIVE_Y,C.NEGATIVE_Z),t.pz.lookAt(C.POSITIVE_Z,C.NEGATIVE_Y),t.nz.lookAt(C.NEGATIVE_Z,C.NEGATIVE_Y),e._frameBuffer=new ue,e},{getCamera:function(e){return this._cameras[e]},render:function(e,t,r){var i=e.gl;r||t.update();for(var n=this.texture.width,a=2*Math.atan(n/(n-.5))/Math.PI*180,o=0;o<6;o++){var s=uc[o],f=this._cameras[s];if(C.copy(f.position,this.position),f.far=this.far,f.near=this.near,f.fov=a,this.shadowMapPass){f.update();var l=t.getBoundingBox();l.applyTransform(f.viewMatrix),t.viewBoundingBoxLastFrame.copy(l),this.shadowMapPass.render(e,t,f,!0)}this._frameBuffer.attach(this.texture,i.COLOR_ATTACHMENT0,i.TEXTURE_CUBE_MAP_POSITIVE_X+o),this._frameBuffer.bind(e),e.render(t,f,!0),this._frameBuffer.unbind(e)}},dispose:function(e){this._frameBuffer.dispose(e)}}),Ar=cc;var hc=Te.extend({dynamic:!1,widthSegments:1,heightSegments:1},function(){this.build()},{build:function(){for(var e=this.heightSegments,t=this.widthSegments,r=this.attributes,i=[],n=[],a=[],o=[],s=0;s<=e;s++)for(var f=s/e,l=0;l<=t;l++){var u=l/t;if(i.push([2*u-1,2*f-1,0]),n&&n.push([u,f]),a&&a.push([0,0,1]),l<t&&s<e){var c=l+s*(t+1);o.push([c,c+1,c+t+1]),o.push([c+t+1,c+1,c+t+2])}}r.position.fromArray(i),r.texcoord0.fromArray(n),r.normal.fromArray(a),this.initIndicesFromArray(o),this.boundingBox=new xe,this.boundingBox.min.set(-1,-1,0),this.boundingBox.max.set(1,1,0)}}),wr=hc;var Se=new O,dc=Te.extend({dynamic:!1,widthSegments:1,heightSegments:1,depthSegments:1,inside:!1},function(){this.build()},{build:function(){var e={px:br("px",this.depthSegments,this.heightSegments),nx:br("nx",this.depthSegments,this.heightSegments),py:br("py",this.widthSegments,this.depthSegments),ny:br("ny",this.widthSegments,this.depthSegments),pz:br("pz",this.widthSegments,this.heightSegments),nz:br("nz",this.widthSegments,this.heightSegments)},t=["position","texcoord0","normal"],r=0,i=0;for(var n in e)r+=e[n].vertexCount,i+=e[n].indices.length;for(var a=0;a<t.length;a++)this.attributes[t[a]].init(r);this.indices=new ne.Uint16Array(i);var o=0,s=0;for(var n in e){for(var f=e[n],a=0;a<t.length;a++)for(var l=t[a],u=f.attributes[l].value,c=f.attributes[l].size,d=l==="normal",h=0;h<u.length;h++){var m=u[h];this.inside&&d&&(m=-m),this.attributes[l].value[h+c*s]=m}for(var p=f.indices.length,h=0;h<f.indices.length;h++)this.indices[h+o]=s+f.indices[this.inside?p-h-1:h];o+=f.indices.length,s+=f.vertexCount}this.boundingBox=new xe,this.boundingBox.max.set(1,1,1),this.boundingBox.min.set(-1,-1,-1)}});function br(e,t,r){Se.identity();var i=new wr({widthSegments:t,heightSegments:r});switch(e){case"px":O.translate(Se,Se,C.POSITIVE_X),O.rotateY(Se,Se,Math.PI/2);break;case"nx":O.translate(Se,Se,C.NEGATIVE_X),O.rotateY(Se,Se,-Math.PI/2);break;case"py":O.translate(Se,Se,C.POSITIVE_Y),O.rotateX(Se,Se,-Math.PI/2);break;case"ny":O.translate(Se,Se,C.NEGATIVE_Y),O.rotateX(Se,Se,Math.PI/2);break;case"pz":O.translate(Se,Se,C.POSITIVE_Z);break;case"nz":O.translate(Se,Se,C.NEGATIVE_Z),O.rotateY(Se,Se,Math.PI);break}return i.applyTransform(Se),i}var Di=dc;var es=`@export clay.skybox.vertex
#define SHADER_NAME skybox
uniform mat4 world : WORLD;
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
attribute vec3 position : POSITION;
varying vec3 v_WorldPosition;
void main()
{
 v_WorldPosition = (world * vec4(position, 1.0)).xyz;
 gl_Position = worldViewProjection * vec4(position, 1.0);
}
@end
@export clay.skybox.fragment
#define PI 3.1415926
uniform mat4 viewInverse : VIEWINVERSE;
#ifdef EQUIRECTANGULAR
uniform sampler2D environmentMap;
#else
uniform samplerCube environmentMap;
#endif
uniform float lod: 0.0;
varying vec3 v_WorldPosition;
@import clay.util.rgbm
@import clay.util.srgb
@import clay.util.ACES
void main()
{
 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(v_WorldPosition - eyePos);
#ifdef EQUIRECTANGULAR
 float phi = acos(V.y);
 float theta = atan(-V.x, V.z) + PI * 0.5;
 vec2 uv = vec2(theta / 2.0 / PI, phi / PI);
 vec4 texel = decodeHDR(texture2D(environmentMap, fract(uv)));
#else
 #if defined(LOD) || defined(SUPPORT_TEXTURE_LOD)
 vec4 texel = decodeHDR(textureCubeLodEXT(environmentMap, V, lod));
 #else
 vec4 texel = decodeHDR(textureCube(environmentMap, V));
 #endif
#endif
#ifdef SRGB_DECODE
 texel = sRGBToLinear(texel);
#endif
#ifdef TONEMAPPING
 texel.rgb = ACESToneMapping(texel.rgb);
#endif
#ifdef SRGB_ENCODE
 texel = linearTosRGB(texel);
#endif
 gl_FragColor = encodeHDR(vec4(texel.rgb, 1.0));
}
@end`;N.import(es);var mc=hr.extend(function(){var e=new N({vertex:N.source("clay.skybox.vertex"),fragment:N.source("clay.skybox.fragment")}),t=new He({shader:e,depthMask:!1});return{scene:null,geometry:new Di,material:t,environmentMap:null,culling:!1,_dummyCamera:new Ee}},function(){var e=this.scene;e&&this.attachScene(e),this.environmentMap&&this.setEnvironmentMap(this.environmentMap)},{attachScene:function(e){this.scene&&this.detachScene(),e.skybox=this,this.scene=e,e.on("beforerender",this._beforeRenderScene,this)},detachScene:function(){this.scene&&(this.scene.off("beforerender",this._beforeRenderScene),this.scene.skybox=null),this.scene=null},dispose:function(e){this.detachScene(),this.geometry.dispose(e)},setEnvironmentMap:function(e){e.textureType==="texture2D"?(this.material.define("EQUIRECTANGULAR"),e.minFilter=I.LINEAR):this.material.undefine("EQUIRECTANGULAR"),this.material.set("environmentMap",e)},getEnvironmentMap:function(){return this.material.get("environmentMap")},_beforeRenderScene:function(e,t,r){this.renderSkybox(e,r)},renderSkybox:function(e,t){var r=this._dummyCamera;r.aspect=e.getViewportAspect(),r.fov=t.fov||50,r.updateProjectionMatrix(),O.invert(r.invProjectionMatrix,r.projectionMatrix),r.worldTransform.copy(t.worldTransform),r.viewMatrix.copy(t.viewMatrix),this.position.copy(t.getWorldPosition()),this.update(),e.gl.disable(e.gl.BLEND),this.material.get("lod")>0?this.material.define("fragment","LOD"):this.material.undefine("fragment","LOD"),e.renderPass([this],r)}}),zt=mc;var Mi=zt;var pc=542327876;var vc=131072;var _c=512;var gc=4;function Zn(e){return e.charCodeAt(0)+(e.charCodeAt(1)<<8)+(e.charCodeAt(2)<<16)+(e.charCodeAt(3)<<24)}var yc=31,xc=Zn("DXT1"),Tc=Zn("DXT3"),Ec=Zn("DXT5"),Sc=0,Ac=1,wc=2,bc=3,Cc=4,Lc=7,Rc=20,Dc=21;var Mc=28;var Nc={parse:function(e,t){var r=new Int32Array(e,0,yc);if(r[Sc]!==pc||!r(Rc)&gc)return null;var i=r(Dc),n=r[Cc],a=r[bc],o=r[Mc]&_c,s=r[wc]&vc,f,l;switch(i){case xc:f=8,l=I.COMPRESSED_RGB_S3TC_DXT1_EXT;break;case Tc:f=16,l=I.COMPRESSED_RGBA_S3TC_DXT3_EXT;break;case Ec:f=16,l=I.COMPRESSED_RGBA_S3TC_DXT5_EXT;break;default:return null}var u=r[Ac]+4,c=o?6:1,d=1;s&&(d=Math.max(1,r[Lc]));for(var h=[],m=0;m<c;m++){var p=n,v=a;h[m]=new X({width:p,height:v,format:l});for(var _=[],x=0;x<d;x++){var T=Math.max(4,p)/4*Math.max(4,v)/4*f,g=new Uint8Array(e,u,T);u+=T,p*=.5,v*=.5,_[x]=g}h[m].pixels=_[0],s&&(h[m].mipmaps=_)}if(t)t.width=h[0].width,t.height=h[0].height,t.format=h[0].format,t.pixels=h[0].pixels,t.mipmaps=h[0].mipmaps;else return h[0]}},ts=Nc;var Ni=String.fromCharCode,Pc=8,Oc=32767;function Ic(e,t,r,i){if(e[3]>0){var n=Math.pow(2,e[3]-128-8+i);t[r+0]=e[0]*n,t[r+1]=e[1]*n,t[r+2]=e[2]*n}else t[r+0]=0,t[r+1]=0,t[r+2]=0;return t[r+3]=1,t}function Bc(e,t,r){for(var i="",n=t;n<r;n++)i+=Ni(e[n]);return i}function Fc(e,t){t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3]}function rs(e,t,r,i){for(var n=0,a=0,o=i;o>0;)if(e[a][0]=t[r++],e[a][1]=t[r++],e[a][2]=t[r++],e[a][3]=t[r++],e[a][0]===1&&e[a][1]===1&&e[a][2]===1){for(var s=e[a][3]<<n>>>0;s>0;s--)Fc(e[a-1],e[a]),a++,o--;n+=8}else a++,o--,n=0;return r}function Uc(e,t,r,i){if(i<Pc|i>Oc)return rs(e,t,r,i);var n=t[r++];if(n!=2)return rs(e,t,r-1,i);if(e[0][1]=t[r++],e[0][2]=t[r++],n=t[r++],(e[0][2]<<8>>>0|n)>>>0!==i)return null;for(var n=0;n<4;n++)for(var a=0;a<i;){var o=t[r++];if(o>128){o=(o&127)>>>0;for(var s=t[r++];o--;)e[a++][n]=s}else for(;o--;)e[a++][n]=t[r++]}return r}var Hc={parseRGBE:function(e,t,r){r==null&&(r=0);var i=new Uint8Array(e),n=i.length;if(Bc(i,0,2)==="#?"){for(var a=2;a<n&&!(Ni(i[a])===`
`&&Ni(i[a+1])===`
`);a++);if(!(a>=n)){a+=2;for(var o="";a<n;a++){var s=Ni(i[a]);if(s===`
`)break;o+=s}var f=o.split(" "),l=parseInt(f[1]),u=parseInt(f[3]);if(!(!u||!l)){for(var c=a+1,d=[],h=0;h<u;h++){d[h]=[];for(var m=0;m<4;m++)d[h][m]=0}for(var p=new Float32Array(u*l*4),v=0,_=0;_<l;_++){var c=Uc(d,i,c,u);if(!c)return null;for(var h=0;h<u;h++)Ic(d[h],p,v,r),v+=4}return t||(t=new X),t.width=u,t.height=l,t.pixels=p,t.type=I.FLOAT,t}}}},parseRGBEFromPNG:function(e){}},is=Hc;var Pi={loadTexture:function(e,t,r,i){var n;if(typeof t=="function"?(r=t,i=r,t={}):t=t||{},typeof e=="string"){if(e.match(/.hdr$/)||t.fileType==="hdr")return n=new X({width:0,height:0,sRGB:!1}),Pi._fetchTexture(e,function(a){is.parseRGBE(a,n,t.exposure),n.dirty(),r&&r(n)},i),n;e.match(/.dds$/)||t.fileType==="dds"?(n=new X({width:0,height:0}),Pi._fetchTexture(e,function(a){ts.parse(a,n),n.dirty(),r&&r(n)},i)):(n=new X,n.load(e),n.success(r),n.error(i))}else typeof e=="object"&&typeof e.px<"u"&&(n=new bt,n.load(e),n.success(r),n.error(i));return n},loadPanorama:function(e,t,r,i,n,a){var o=this;typeof i=="function"?(n=i,a=n,i={}):i=i||{},Pi.loadTexture(t,i,function(s){s.flipY=i.flipY||!1,o.panoramaToCubeMap(e,s,r,i),s.dispose(e),n&&n(r)},a)},panoramaToCubeMap:function(e,t,r,i){var n=new Ar,a=new Mi({scene:new et});return a.setEnvironmentMap(t),i=i||{},i.encodeRGBM&&a.material.define("fragment","RGBM_ENCODE"),r.sRGB=t.sRGB,n.texture=r,n.render(e,a.scene),n.texture=null,n.dispose(e),r},heightToNormal:function(e,t){var r=document.createElement("canvas"),i=r.width=e.width,n=r.height=e.height,a=r.getContext("2d");a.drawImage(e,0,0,i,n),t=t||!1;for(var o=a.getImageData(0,0,i,n),s=a.createImageData(i,n),f=0;f<o.data.length;f+=4){if(t){var l=o.data[f],u=o.data[f+1],c=o.data[f+2],d=Math.abs(l-u)+Math.abs(u-c);if(d>20)return console.warn("Given image is not a height map"),e}var h,m,p,v;f%(i*4)===0?(h=o.data[f],p=o.data[f+4]):f%(i*4)===(i-1)*4?(h=o.data[f-4],p=o.data[f]):(h=o.data[f-4],p=o.data[f+4]),f<i*4?(m=o.data[f],v=o.data[f+i*4]):f>i*(n-1)*4?(m=o.data[f-i*4],v=o.data[f]):(m=o.data[f-i*4],v=o.data[f+i*4]),s.data[f]=h-p+127,s.data[f+1]=m-v+127,s.data[f+2]=255,s.data[f+3]=255}return a.putImageData(s,0,0),r},isHeightImage:function(e,t,r){if(!e||!e.width||!e.height)return!1;var i=document.createElement("canvas"),n=i.getContext("2d"),a=t||32;r=r||20,i.width=i.height=a,n.drawImage(e,0,0,a,a);for(var o=n.getImageData(0,0,a,a),s=0;s<o.data.length;s+=4){var f=o.data[s],l=o.data[s+1],u=o.data[s+2],c=Math.abs(f-l)+Math.abs(l-u);if(c>r)return!1}return!0},_fetchTexture:function(e,t,r){ne.request.get({url:e,responseType:"arraybuffer",onload:t,onerror:r})},createChessboard:function(e,t,r,i){e=e||512,t=t||64,r=r||"black",i=i||"white";var n=Math.ceil(e/t),a=document.createElement("canvas");a.width=e,a.height=e;var o=a.getContext("2d");o.fillStyle=i,o.fillRect(0,0,e,e),o.fillStyle=r;for(var s=0;s<n;s++)for(var f=0;f<n;f++){var l=f%2?s%2:s%2-1;l&&o.fillRect(s*t,f*t,t,t)}var u=new X({image:a,anisotropic:8});return u},createBlank:function(e){var t=document.createElement("canvas");t.width=1,t.height=1;var r=t.getContext("2d");r.fillStyle=e,r.fillRect(0,0,1,1);var i=new X({image:t});return i}},xt=Pi;function ns(e){return e&&typeof e=="object"&&!Array.isArray(e)&&typeof e.count=="function"&&typeof e.getItem=="function"&&typeof e.getSource!="function"&&(e.getSource=function(){return{sourceFormat:"original",seriesLayoutBy:"column",startIndex:0,dimensionsDefine:null}},e.persistent==null&&(e.persistent=!0)),e}function Oi(e,t){if(!e.__ECGLOnRefresh){e.__ECGLOnRefresh=!0;var r=e._refresh?"_refresh":"refreshImmediately",i=e[r];e[r]=function(){i.apply(this,arguments),t()}}}var Kn=["mousedown","mouseup","mousemove","mouseover","mouseout","click","dblclick","contextmenu"];function Qn(e){return"_on"+e}var Jn=function(e){var t=this;this._texture=new X({anisotropic:32,flipY:!1,surface:this,dispose:function(r){t.dispose(),X.prototype.dispose.call(this,r)}}),Kn.forEach(function(r){this[Qn(r)]=function(i){i.triangle&&this._meshes.forEach(function(n){this.dispatchEvent(r,n,i.triangle,i.point)},this)}},this),this._meshes=[],e&&this.setECharts(e),this.onupdate=null};Jn.prototype={constructor:Jn,getTexture:function(){return this._texture},setECharts:function(e){this._chart=e;var t=e.getDom();if(!(t instanceof HTMLCanvasElement))console.error("ECharts must init on canvas if it is used as texture."),t=document.createElement("canvas");else{var r=this;Oi(e.getZr(),function(){r._texture.dirty(),r.onupdate&&r.onupdate()})}this._texture.image=t,this._texture.dirty(),this.onupdate&&this.onupdate()},dispatchEvent:(function(){var e=new C,t=new C,r=new C,i=new Pe,n=new Pe,a=new Pe,o=new Pe,s=new C;return function(f,l,u,c){var d=l.geometry,h=d.attributes.position,m=d.attributes.texcoord0,p=C.dot,v=C.cross;h.get(u[0],e.array),h.get(u[1],t.array),h.get(u[2],r.array),m.get(u[0],i.array),m.get(u[1],n.array),m.get(u[2],a.array),v(s,t,r);var _=p(e,s),x=p(c,s)/_;v(s,r,e);var T=p(c,s)/_;v(s,e,t);var g=p(c,s)/_;Pe.scale(o,i,x),Pe.scaleAndAdd(o,o,n,T),Pe.scaleAndAdd(o,o,a,g);var E=o.x*this._chart.getWidth(),A=o.y*this._chart.getHeight();this._chart.getZr().handler.dispatch(f,{zrX:E,zrY:A})}})(),attachToMesh:function(e){this._meshes.indexOf(e)>=0||(Kn.forEach(function(t){e.on(t,this[Qn(t)],this)},this),this._meshes.push(e))},detachFromMesh:function(e){var t=this._meshes.indexOf(e);t>=0&&this._meshes.splice(t,1),Kn.forEach(function(r){e.off(r,this[Qn(r)])},this)},dispose:function(){this._meshes.forEach(function(e){this.detachFromMesh(e)},this)}};var as=Jn;var Gc=wt.extend({left:-1,right:1,near:-1,far:1,top:1,bottom:-1},{updateProjectionMatrix:function(){this.projectionMatrix.ortho(this.left,this.right,this.bottom,this.top,this.near,this.far)},decomposeProjectionMatrix:function(){var e=this.projectionMatrix.array;this.left=(-1-e[12])/e[0],this.right=(1-e[12])/e[0],this.top=(1-e[13])/e[5],this.bottom=(-1-e[13])/e[5],this.near=-(-1-e[14])/e[10],this.far=-(1-e[14])/e[10]},clone:function(){var e=wt.prototype.clone.call(this);return e.left=this.left,e.right=this.right,e.near=this.near,e.far=this.far,e.top=this.top,e.bottom=this.bottom,e}}),Lt=Gc;var os=`
@export clay.compositor.vertex
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
attribute vec3 position : POSITION;
attribute vec2 texcoord : TEXCOORD_0;
varying vec2 v_Texcoord;
void main()
{
 v_Texcoord = texcoord;
 gl_Position = worldViewProjection * vec4(position, 1.0);
}
@end`;N.import(os);var zc=new wr,ss=new hr({geometry:zc,frustumCulling:!1}),Vc=new Lt,kc=le.extend(function(){return{fragment:"",outputs:null,material:null,blendWithPrevious:!1,clearColor:!1,clearDepth:!0}},function(){var e=new N(N.source("clay.compositor.vertex"),this.fragment),t=new He({shader:e});t.enableTexturesAll(),this.material=t},{setUniform:function(e,t){this.material.setUniform(e,t)},getUniform:function(e){var t=this.material.uniforms[e];if(t)return t.value},attachOutput:function(e,t){this.outputs||(this.outputs={}),t=t||S.COLOR_ATTACHMENT0,this.outputs[t]=e},detachOutput:function(e){for(var t in this.outputs)this.outputs[t]===e&&(this.outputs[t]=null)},bind:function(e,t){if(this.outputs)for(var r in this.outputs){var i=this.outputs[r];i&&t.attach(i,r)}t&&t.bind(e)},unbind:function(e,t){t.unbind(e)},render:function(e,t){var r=e.gl;if(t){this.bind(e,t);var i=e.getGLExtension("EXT_draw_buffers");if(i&&this.outputs){var n=[];for(var a in this.outputs)a=+a,a>=r.COLOR_ATTACHMENT0&&a<=r.COLOR_ATTACHMENT0+8&&n.push(a);i.drawBuffersEXT(n)}}this.trigger("beforerender",this,e);var o=this.clearDepth?r.DEPTH_BUFFER_BIT:0;if(r.depthMask(!0),this.clearColor){o=o|r.COLOR_BUFFER_BIT,r.colorMask(!0,!0,!0,!0);var s=this.clearColor;Array.isArray(s)&&r.clearColor(s[0],s[1],s[2],s[3])}r.clear(o),this.blendWithPrevious?(r.enable(r.BLEND),this.material.transparent=!0):(r.disable(r.BLEND),this.material.transparent=!1),this.renderQuad(e),this.trigger("afterrender",this,e),t&&this.unbind(e,t)},renderQuad:function(e){ss.material=this.material,e.renderPass([ss],Vc)},dispose:function(e){}}),Ae=kc;var fs=`#define SAMPLE_NUMBER 1024
#define PI 3.14159265358979
uniform sampler2D normalDistribution;
uniform vec2 viewportSize : [512, 256];
const vec3 N = vec3(0.0, 0.0, 1.0);
const float fSampleNumber = float(SAMPLE_NUMBER);
vec3 importanceSampleNormal(float i, float roughness, vec3 N) {
 vec3 H = texture2D(normalDistribution, vec2(roughness, i)).rgb;
 vec3 upVector = abs(N.y) > 0.999 ? vec3(1.0, 0.0, 0.0) : vec3(0.0, 1.0, 0.0);
 vec3 tangentX = normalize(cross(N, upVector));
 vec3 tangentZ = cross(N, tangentX);
 return normalize(tangentX * H.x + N * H.y + tangentZ * H.z);
}
float G_Smith(float roughness, float NoV, float NoL) {
 float k = roughness * roughness / 2.0;
 float G1V = NoV / (NoV * (1.0 - k) + k);
 float G1L = NoL / (NoL * (1.0 - k) + k);
 return G1L * G1V;
}
void main() {
 vec2 uv = gl_FragCoord.xy / viewportSize;
 float NoV = uv.x;
 float roughness = uv.y;
 vec3 V;
 V.x = sqrt(1.0 - NoV * NoV);
 V.y = 0.0;
 V.z = NoV;
 float A = 0.0;
 float B = 0.0;
 for (int i = 0; i < SAMPLE_NUMBER; i++) {
 vec3 H = importanceSampleNormal(float(i) / fSampleNumber, roughness, N);
 vec3 L = reflect(-V, H);
 float NoL = clamp(L.z, 0.0, 1.0);
 float NoH = clamp(H.z, 0.0, 1.0);
 float VoH = clamp(dot(V, H), 0.0, 1.0);
 if (NoL > 0.0) {
 float G = G_Smith(roughness, NoV, NoL);
 float G_Vis = G * VoH / (NoH * NoV);
 float Fc = pow(1.0 - VoH, 5.0);
 A += (1.0 - Fc) * G_Vis;
 B += Fc * G_Vis;
 }
 }
 gl_FragColor = vec4(vec2(A, B) / fSampleNumber, 0.0, 1.0);
}
`;var ls=`#define SHADER_NAME prefilter
#define SAMPLE_NUMBER 1024
#define PI 3.14159265358979
uniform mat4 viewInverse : VIEWINVERSE;
uniform samplerCube environmentMap;
uniform sampler2D normalDistribution;
uniform float roughness : 0.5;
varying vec2 v_Texcoord;
varying vec3 v_WorldPosition;
@import clay.util.rgbm
vec3 importanceSampleNormal(float i, float roughness, vec3 N) {
 vec3 H = texture2D(normalDistribution, vec2(roughness, i)).rgb;
 vec3 upVector = abs(N.y) > 0.999 ? vec3(1.0, 0.0, 0.0) : vec3(0.0, 1.0, 0.0);
 vec3 tangentX = normalize(cross(N, upVector));
 vec3 tangentZ = cross(N, tangentX);
 return normalize(tangentX * H.x + N * H.y + tangentZ * H.z);
}
void main() {
 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(v_WorldPosition - eyePos);
 vec3 N = V;
 vec3 prefilteredColor = vec3(0.0);
 float totalWeight = 0.0;
 float fMaxSampleNumber = float(SAMPLE_NUMBER);
 for (int i = 0; i < SAMPLE_NUMBER; i++) {
 vec3 H = importanceSampleNormal(float(i) / fMaxSampleNumber, roughness, N);
 vec3 L = reflect(-V, H);
 float NoL = clamp(dot(N, L), 0.0, 1.0);
 if (NoL > 0.0) {
 prefilteredColor += decodeHDR(textureCube(environmentMap, L)).rgb * NoL;
 totalWeight += NoL;
 }
 }
 gl_FragColor = encodeHDR(vec4(prefilteredColor / totalWeight, 1.0));
}
`;var ir={},$n=["px","nx","py","ny","pz","nz"];ir.prefilterEnvironmentMap=function(e,t,r,i,n){(!n||!i)&&(i=ir.generateNormalDistribution(),n=ir.integrateBRDF(e,i)),r=r||{};var a=r.width||64,o=r.height||64,s=r.type||t.type,f=new bt({width:a,height:o,type:s,flipY:!1,mipmaps:[]});f.isPowerOfTwo()||console.warn("Width and height must be power of two to enable mipmap.");var l=Math.min(a,o),u=Math.log(l)/Math.log(2)+1,c=new He({shader:new N({vertex:N.source("clay.skybox.vertex"),fragment:ls})});c.set("normalDistribution",i),r.encodeRGBM&&c.define("fragment","RGBM_ENCODE"),r.decodeRGBM&&c.define("fragment","RGBM_DECODE");var d=new et,h;if(t.textureType==="texture2D"){var m=new bt({width:a,height:o,type:s===I.FLOAT?I.HALF_FLOAT:s});xt.panoramaToCubeMap(e,t,m,{encodeRGBM:r.decodeRGBM}),t=m}h=new zt({scene:d,material:c}),h.material.set("environmentMap",t);var p=new Ar({texture:f});r.encodeRGBM&&(s=f.type=I.UNSIGNED_BYTE);for(var v=new X({width:a,height:o,type:s}),_=new ue({depthBuffer:!1}),x=ne[s===I.UNSIGNED_BYTE?"Uint8Array":"Float32Array"],T=0;T<u;T++){f.mipmaps[T]={pixels:{}},h.material.set("roughness",T/(u-1));for(var g=v.width,E=2*Math.atan(g/(g-.5))/Math.PI*180,A=0;A<$n.length;A++){var R=new x(v.width*v.height*4);_.attach(v),_.bind(e);var w=p.getCamera($n[A]);w.fov=E,e.render(d,w),e.gl.readPixels(0,0,v.width,v.height,I.RGBA,s,R),_.unbind(e),f.mipmaps[T].pixels[$n[A]]=R}v.width/=2,v.height/=2,v.dirty()}return _.dispose(e),v.dispose(e),h.dispose(e),i.dispose(e),{environmentMap:f,brdfLookup:n,normalDistribution:i,maxMipmapLevel:u}};ir.integrateBRDF=function(e,t){t=t||ir.generateNormalDistribution();var r=new ue({depthBuffer:!1}),i=new Ae({fragment:fs}),n=new X({width:512,height:256,type:I.HALF_FLOAT,wrapS:I.CLAMP_TO_EDGE,wrapT:I.CLAMP_TO_EDGE,minFilter:I.NEAREST,magFilter:I.NEAREST,useMipmap:!1});return i.setUniform("normalDistribution",t),i.setUniform("viewportSize",[512,256]),i.attachOutput(n),i.render(e,r),r.dispose(e),n};ir.generateNormalDistribution=function(r,i){for(var r=r||256,i=i||1024,n=new X({width:r,height:i,type:I.FLOAT,minFilter:I.NEAREST,magFilter:I.NEAREST,wrapS:I.CLAMP_TO_EDGE,wrapT:I.CLAMP_TO_EDGE,useMipmap:!1}),a=new Float32Array(i*r*4),o=[],s=0;s<r;s++){for(var f=s/r,l=f*f,u=0;u<i;u++){var c=(u<<16|u>>>16)>>>0;c=((c&1431655765)<<1|(c&2863311530)>>>1)>>>0,c=((c&858993459)<<2|(c&3435973836)>>>2)>>>0,c=((c&252645135)<<4|(c&4042322160)>>>4)>>>0,c=(((c&16711935)<<8|(c&4278255360)>>>8)>>>0)/4294967296;var d=Math.sqrt((1-c)/(1+(l*l-1)*c));o[u]=d}for(var u=0;u<i;u++){var h=(u*r+s)*4,d=o[u],m=Math.sqrt(1-d*d),p=u/i,v=2*Math.PI*p;a[h]=m*Math.cos(v),a[h+1]=d,a[h+2]=m*Math.sin(v),a[h+3]=1}}return n.pixels=a,n};var Cr=ir;var Wc=Be.extend({cubemap:null,castShadow:!1,_normalDistribution:null,_brdfLookup:null},{type:"AMBIENT_CUBEMAP_LIGHT",prefilter:function(e,t){if(!e.getGLExtension("EXT_shader_texture_lod")){console.warn("Device not support textureCubeLodEXT");return}this._brdfLookup||(this._normalDistribution=Cr.generateNormalDistribution(),this._brdfLookup=Cr.integrateBRDF(e,this._normalDistribution));var r=this.cubemap;if(!r.__prefiltered){var i=Cr.prefilterEnvironmentMap(e,r,{encodeRGBM:!0,width:t,height:t},this._normalDistribution,this._brdfLookup);this.cubemap=i.environmentMap,this.cubemap.__prefiltered=!0,r.dispose(e)}},getBRDFLookup:function(){return this._brdfLookup},uniformTemplates:{ambientCubemapLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}},ambientCubemapLightCubemap:{type:"t",value:function(e){return e.cubemap}},ambientCubemapLightBRDFLookup:{type:"t",value:function(e){return e._brdfLookup}}}}),us=Wc;var Xc=Be.extend({castShadow:!1,coefficients:[]},function(){this._coefficientsTmpArr=new ne.Float32Array(27)},{type:"AMBIENT_SH_LIGHT",uniformTemplates:{ambientSHLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}},ambientSHLightCoefficients:{type:"3f",value:function(e){for(var t=e._coefficientsTmpArr,r=0;r<e.coefficients.length;r++)t[r]=e.coefficients[r];return t}}}}),cs=Xc;var hs={},nr=["px","nx","py","ny","pz","nz"];function jc(e,t){var r=e[0],i=e[1],n=e[2];return t===0?1:t===1?r:t===2?i:t===3?n:t===4?r*n:t===5?i*n:t===6?r*i:t===7?3*n*n-1:r*r-i*i}var Yc={px:[2,1,0,-1,-1,1],nx:[2,1,0,1,-1,-1],py:[0,2,1,1,-1,-1],ny:[0,2,1,1,1,1],pz:[0,1,2,-1,-1,-1],nz:[0,1,2,1,-1,1]};function qc(e,t,r,i){for(var n=new ne.Float32Array(27),a=y.create(),o=y.create(),s=y.create(),f=0;f<9;f++){for(var l=y.create(),u=0;u<nr.length;u++){for(var c=t[nr[u]],d=y.create(),h=0,m=0,p=Yc[nr[u]],v=0;v<i;v++)for(var _=0;_<r;_++){a[0]=_/(r-1)*2-1,a[1]=v/(i-1)*2-1,a[2]=-1,y.normalize(a,a),s[0]=a[p[0]]*p[3],s[1]=a[p[1]]*p[4],s[2]=a[p[2]]*p[5],o[0]=c[m++]/255,o[1]=c[m++]/255,o[2]=c[m++]/255;var x=c[m++]/255*8.12;o[0]*=x,o[1]*=x,o[2]*=x,y.scaleAndAdd(d,d,o,jc(s,f)*-a[2]),h+=-a[2]}y.scaleAndAdd(l,l,d,1/h)}n[f*3]=l[0]/6,n[f*3+1]=l[1]/6,n[f*3+2]=l[2]/6}return n}hs.projectEnvironmentMap=function(e,t,r){r=r||{},r.lod=r.lod||0;var i,n=new et,a=64;t.textureType==="texture2D"?i=new Mi({scene:n,environmentMap:t}):(a=t.image&&t.image.px?t.image.px.width:t.width,i=new zt({scene:n,environmentMap:t}));var o=Math.ceil(a/Math.pow(2,r.lod)),s=Math.ceil(a/Math.pow(2,r.lod)),f=new X({width:o,height:s}),l=new ue;i.material.define("fragment","RGBM_ENCODE"),r.decodeRGBM&&i.material.define("fragment","RGBM_DECODE"),i.material.set("lod",r.lod);for(var u=new Ar({texture:f}),c={},d=0;d<nr.length;d++){c[nr[d]]=new Uint8Array(o*s*4);var h=u.getCamera(nr[d]);h.fov=90,l.attach(f),l.bind(e),e.render(n,h),e.gl.readPixels(0,0,o,s,I.RGBA,I.UNSIGNED_BYTE,c[nr[d]]),l.unbind(e)}return i.dispose(e),l.dispose(e),f.dispose(e),qc(e,c,o,s)};var ds=hs;var Zc={firstNotNull:function(){for(var e=0,t=arguments.length;e<t;e++)if(arguments[e]!=null)return arguments[e]},queryDataIndex:function(e,t){if(t.dataIndexInside!=null)return t.dataIndexInside;if(t.dataIndex!=null)return te.isArray(t.dataIndex)?te.map(t.dataIndex,function(r){return e.indexOfRawIndex(r)}):e.indexOfRawIndex(t.dataIndex);if(t.name!=null)return te.isArray(t.name)?te.map(t.name,function(r){return e.indexOfName(r)}):e.indexOfName(t.name)}},Ce=Zc;var Kc=Te.extend({dynamic:!1,widthSegments:40,heightSegments:20,phiStart:0,phiLength:Math.PI*2,thetaStart:0,thetaLength:Math.PI,radius:1},function(){this.build()},{build:function(){var e=this.heightSegments,t=this.widthSegments,r=this.attributes.position,i=this.attributes.texcoord0,n=this.attributes.normal,a=(t+1)*(e+1);r.init(a),i.init(a),n.init(a);var o=a>65535?Uint32Array:Uint16Array,s=this.indices=new o(t*e*6),f,l,u,c,d,h,m,T=this.radius,p=this.phiStart,v=this.phiLength,_=this.thetaStart,x=this.thetaLength,T=this.radius,g=[],E=[],A=0,R=1/T;for(m=0;m<=e;m++)for(h=0;h<=t;h++)c=h/t,d=m/e,f=-T*Math.cos(p+c*v)*Math.sin(_+d*x),l=T*Math.cos(_+d*x),u=T*Math.sin(p+c*v)*Math.sin(_+d*x),g[0]=f,g[1]=l,g[2]=u,E[0]=c,E[1]=d,r.set(A,g),i.set(A,E),g[0]*=R,g[1]*=R,g[2]*=R,n.set(A,g),A++;var w,D,W,P,H=t+1,F=0;for(m=0;m<e;m++)for(h=0;h<t;h++)D=m*H+h,w=m*H+h+1,P=(m+1)*H+h+1,W=(m+1)*H+h,s[F++]=w,s[F++]=D,s[F++]=P,s[F++]=D,s[F++]=W,s[F++]=P;this.boundingBox=new xe,this.boundingBox.max.set(T,T,T),this.boundingBox.min.set(-T,-T,-T)}}),ms=Kc;var Qc=Be.extend({castShadow:!1},{type:"AMBIENT_LIGHT",uniformTemplates:{ambientLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}}}}),ps=Qc;var Jc=Be.extend({shadowBias:.001,shadowSlopeScale:2,shadowCascade:1,cascadeSplitLogFactor:.2},{type:"DIRECTIONAL_LIGHT",uniformTemplates:{directionalLightDirection:{type:"3f",value:function(e){return e.__dir=e.__dir||new C,e.__dir.copy(e.worldTransform.z).normalize().negate().array}},directionalLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}}},clone:function(){var e=Be.prototype.clone.call(this);return e.shadowBias=this.shadowBias,e.shadowSlopeScale=this.shadowSlopeScale,e}}),vs=Jc;var $c=Be.extend({range:100,castShadow:!1},{type:"POINT_LIGHT",uniformTemplates:{pointLightPosition:{type:"3f",value:function(e){return e.getWorldPosition().array}},pointLightRange:{type:"1f",value:function(e){return e.range}},pointLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}}},clone:function(){var e=Be.prototype.clone.call(this);return e.range=this.range,e}}),_s=$c;var eh=Be.extend({range:20,umbraAngle:30,penumbraAngle:45,falloffFactor:2,shadowBias:.001,shadowSlopeScale:2},{type:"SPOT_LIGHT",uniformTemplates:{spotLightPosition:{type:"3f",value:function(e){return e.getWorldPosition().array}},spotLightRange:{type:"1f",value:function(e){return e.range}},spotLightUmbraAngleCosine:{type:"1f",value:function(e){return Math.cos(e.umbraAngle*Math.PI/180)}},spotLightPenumbraAngleCosine:{type:"1f",value:function(e){return Math.cos(e.penumbraAngle*Math.PI/180)}},spotLightFalloffFactor:{type:"1f",value:function(e){return e.falloffFactor}},spotLightDirection:{type:"3f",value:function(e){return e.__dir=e.__dir||new C,e.__dir.copy(e.worldTransform.z).negate().array}},spotLightColor:{type:"3f",value:function(e){var t=e.color,r=e.intensity;return[t[0]*r,t[1]*r,t[2]*r]}}},clone:function(){var e=Be.prototype.clone.call(this);return e.range=this.range,e.umbraAngle=this.umbraAngle,e.penumbraAngle=this.penumbraAngle,e.falloffFactor=this.falloffFactor,e.shadowBias=this.shadowBias,e.shadowSlopeScale=this.shadowSlopeScale,e}}),gs=eh;var ee=function(e,t,r,i){e=e||0,t=t||0,r=r||0,i=i||0,this.array=M.fromValues(e,t,r,i),this._dirty=!0};ee.prototype={constructor:ee,add:function(e){return M.add(this.array,this.array,e.array),this._dirty=!0,this},set:function(e,t,r,i){return this.array[0]=e,this.array[1]=t,this.array[2]=r,this.array[3]=i,this._dirty=!0,this},setArray:function(e){return this.array[0]=e[0],this.array[1]=e[1],this.array[2]=e[2],this.array[3]=e[3],this._dirty=!0,this},clone:function(){return new ee(this.x,this.y,this.z,this.w)},copy:function(e){return M.copy(this.array,e.array),this._dirty=!0,this},dist:function(e){return M.dist(this.array,e.array)},distance:function(e){return M.distance(this.array,e.array)},div:function(e){return M.div(this.array,this.array,e.array),this._dirty=!0,this},divide:function(e){return M.divide(this.array,this.array,e.array),this._dirty=!0,this},dot:function(e){return M.dot(this.array,e.array)},len:function(){return M.len(this.array)},length:function(){return M.length(this.array)},lerp:function(e,t,r){return M.lerp(this.array,e.array,t.array,r),this._dirty=!0,this},min:function(e){return M.min(this.array,this.array,e.array),this._dirty=!0,this},max:function(e){return M.max(this.array,this.array,e.array),this._dirty=!0,this},mul:function(e){return M.mul(this.array,this.array,e.array),this._dirty=!0,this},multiply:function(e){return M.multiply(this.array,this.array,e.array),this._dirty=!0,this},negate:function(){return M.negate(this.array,this.array),this._dirty=!0,this},normalize:function(){return M.normalize(this.array,this.array),this._dirty=!0,this},random:function(e){return M.random(this.array,e),this._dirty=!0,this},scale:function(e){return M.scale(this.array,this.array,e),this._dirty=!0,this},scaleAndAdd:function(e,t){return M.scaleAndAdd(this.array,this.array,e.array,t),this._dirty=!0,this},sqrDist:function(e){return M.sqrDist(this.array,e.array)},squaredDistance:function(e){return M.squaredDistance(this.array,e.array)},sqrLen:function(){return M.sqrLen(this.array)},squaredLength:function(){return M.squaredLength(this.array)},sub:function(e){return M.sub(this.array,this.array,e.array),this._dirty=!0,this},subtract:function(e){return M.subtract(this.array,this.array,e.array),this._dirty=!0,this},transformMat4:function(e){return M.transformMat4(this.array,this.array,e.array),this._dirty=!0,this},transformQuat:function(e){return M.transformQuat(this.array,this.array,e.array),this._dirty=!0,this},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};var Qr=Object.defineProperty;Qr&&(Jr=ee.prototype,Qr(Jr,"x",{get:function(){return this.array[0]},set:function(e){this.array[0]=e,this._dirty=!0}}),Qr(Jr,"y",{get:function(){return this.array[1]},set:function(e){this.array[1]=e,this._dirty=!0}}),Qr(Jr,"z",{get:function(){return this.array[2]},set:function(e){this.array[2]=e,this._dirty=!0}}),Qr(Jr,"w",{get:function(){return this.array[3]},set:function(e){this.array[3]=e,this._dirty=!0}}));var Jr;ee.add=function(e,t,r){return M.add(e.array,t.array,r.array),e._dirty=!0,e};ee.set=function(e,t,r,i,n){M.set(e.array,t,r,i,n),e._dirty=!0};ee.copy=function(e,t){return M.copy(e.array,t.array),e._dirty=!0,e};ee.dist=function(e,t){return M.distance(e.array,t.array)};ee.distance=ee.dist;ee.div=function(e,t,r){return M.divide(e.array,t.array,r.array),e._dirty=!0,e};ee.divide=ee.div;ee.dot=function(e,t){return M.dot(e.array,t.array)};ee.len=function(e){return M.length(e.array)};ee.lerp=function(e,t,r,i){return M.lerp(e.array,t.array,r.array,i),e._dirty=!0,e};ee.min=function(e,t,r){return M.min(e.array,t.array,r.array),e._dirty=!0,e};ee.max=function(e,t,r){return M.max(e.array,t.array,r.array),e._dirty=!0,e};ee.mul=function(e,t,r){return M.multiply(e.array,t.array,r.array),e._dirty=!0,e};ee.multiply=ee.mul;ee.negate=function(e,t){return M.negate(e.array,t.array),e._dirty=!0,e};ee.normalize=function(e,t){return M.normalize(e.array,t.array),e._dirty=!0,e};ee.random=function(e,t){return M.random(e.array,t),e._dirty=!0,e};ee.scale=function(e,t,r){return M.scale(e.array,t.array,r),e._dirty=!0,e};ee.scaleAndAdd=function(e,t,r,i){return M.scaleAndAdd(e.array,t.array,r.array,i),e._dirty=!0,e};ee.sqrDist=function(e,t){return M.sqrDist(e.array,t.array)};ee.squaredDistance=ee.sqrDist;ee.sqrLen=function(e){return M.sqrLen(e.array)};ee.squaredLength=ee.sqrLen;ee.sub=function(e,t,r){return M.subtract(e.array,t.array,r.array),e._dirty=!0,e};ee.subtract=ee.sub;ee.transformMat4=function(e,t,r){return M.transformMat4(e.array,t.array,r.array),e._dirty=!0,e};ee.transformQuat=function(e,t,r){return M.transformQuat(e.array,t.array,r.array),e._dirty=!0,e};var ys=ee;var Ge={};Ge.create=function(){var e=new he(4);return e[0]=1,e[1]=0,e[2]=0,e[3]=1,e};Ge.clone=function(e){var t=new he(4);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3],t};Ge.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e};Ge.identity=function(e){return e[0]=1,e[1]=0,e[2]=0,e[3]=1,e};Ge.transpose=function(e,t){if(e===t){var r=t[1];e[1]=t[2],e[2]=r}else e[0]=t[0],e[1]=t[2],e[2]=t[1],e[3]=t[3];return e};Ge.invert=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=r*a-n*i;return o?(o=1/o,e[0]=a*o,e[1]=-i*o,e[2]=-n*o,e[3]=r*o,e):null};Ge.adjoint=function(e,t){var r=t[0];return e[0]=t[3],e[1]=-t[1],e[2]=-t[2],e[3]=r,e};Ge.determinant=function(e){return e[0]*e[3]-e[2]*e[1]};Ge.multiply=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=r[0],f=r[1],l=r[2],u=r[3];return e[0]=i*s+a*f,e[1]=n*s+o*f,e[2]=i*l+a*u,e[3]=n*l+o*u,e};Ge.mul=Ge.multiply;Ge.rotate=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=Math.sin(r),f=Math.cos(r);return e[0]=i*f+a*s,e[1]=n*f+o*s,e[2]=i*-s+a*f,e[3]=n*-s+o*f,e};Ge.scale=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=r[0],f=r[1];return e[0]=i*s,e[1]=n*s,e[2]=a*f,e[3]=o*f,e};Ge.frob=function(e){return Math.sqrt(Math.pow(e[0],2)+Math.pow(e[1],2)+Math.pow(e[2],2)+Math.pow(e[3],2))};Ge.LDU=function(e,t,r,i){return e[2]=i[2]/i[0],r[0]=i[0],r[1]=i[1],r[3]=i[3]-e[2]*r[1],[e,t,r]};var _e=Ge;var Xe=function(){this.array=_e.create(),this._dirty=!0};Xe.prototype={constructor:Xe,setArray:function(e){for(var t=0;t<this.array.length;t++)this.array[t]=e[t];return this._dirty=!0,this},clone:function(){return new Xe().copy(this)},copy:function(e){return _e.copy(this.array,e.array),this._dirty=!0,this},adjoint:function(){return _e.adjoint(this.array,this.array),this._dirty=!0,this},determinant:function(){return _e.determinant(this.array)},identity:function(){return _e.identity(this.array),this._dirty=!0,this},invert:function(){return _e.invert(this.array,this.array),this._dirty=!0,this},mul:function(e){return _e.mul(this.array,this.array,e.array),this._dirty=!0,this},mulLeft:function(e){return _e.mul(this.array,e.array,this.array),this._dirty=!0,this},multiply:function(e){return _e.multiply(this.array,this.array,e.array),this._dirty=!0,this},multiplyLeft:function(e){return _e.multiply(this.array,e.array,this.array),this._dirty=!0,this},rotate:function(e){return _e.rotate(this.array,this.array,e),this._dirty=!0,this},scale:function(e){return _e.scale(this.array,this.array,e.array),this._dirty=!0,this},transpose:function(){return _e.transpose(this.array,this.array),this._dirty=!0,this},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};Xe.adjoint=function(e,t){return _e.adjoint(e.array,t.array),e._dirty=!0,e};Xe.copy=function(e,t){return _e.copy(e.array,t.array),e._dirty=!0,e};Xe.determinant=function(e){return _e.determinant(e.array)};Xe.identity=function(e){return _e.identity(e.array),e._dirty=!0,e};Xe.invert=function(e,t){return _e.invert(e.array,t.array),e._dirty=!0,e};Xe.mul=function(e,t,r){return _e.mul(e.array,t.array,r.array),e._dirty=!0,e};Xe.multiply=Xe.mul;Xe.rotate=function(e,t,r){return _e.rotate(e.array,t.array,r),e._dirty=!0,e};Xe.scale=function(e,t,r){return _e.scale(e.array,t.array,r.array),e._dirty=!0,e};Xe.transpose=function(e,t){return _e.transpose(e.array,t.array),e._dirty=!0,e};var xs=Xe;var qe={};qe.create=function(){var e=new he(6);return e[0]=1,e[1]=0,e[2]=0,e[3]=1,e[4]=0,e[5]=0,e};qe.clone=function(e){var t=new he(6);return t[0]=e[0],t[1]=e[1],t[2]=e[2],t[3]=e[3],t[4]=e[4],t[5]=e[5],t};qe.copy=function(e,t){return e[0]=t[0],e[1]=t[1],e[2]=t[2],e[3]=t[3],e[4]=t[4],e[5]=t[5],e};qe.identity=function(e){return e[0]=1,e[1]=0,e[2]=0,e[3]=1,e[4]=0,e[5]=0,e};qe.invert=function(e,t){var r=t[0],i=t[1],n=t[2],a=t[3],o=t[4],s=t[5],f=r*a-i*n;return f?(f=1/f,e[0]=a*f,e[1]=-i*f,e[2]=-n*f,e[3]=r*f,e[4]=(n*s-a*o)*f,e[5]=(i*o-r*s)*f,e):null};qe.determinant=function(e){return e[0]*e[3]-e[1]*e[2]};qe.multiply=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=r[0],u=r[1],c=r[2],d=r[3],h=r[4],m=r[5];return e[0]=i*l+a*u,e[1]=n*l+o*u,e[2]=i*c+a*d,e[3]=n*c+o*d,e[4]=i*h+a*m+s,e[5]=n*h+o*m+f,e};qe.mul=qe.multiply;qe.rotate=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=Math.sin(r),u=Math.cos(r);return e[0]=i*u+a*l,e[1]=n*u+o*l,e[2]=i*-l+a*u,e[3]=n*-l+o*u,e[4]=s,e[5]=f,e};qe.scale=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=r[0],u=r[1];return e[0]=i*l,e[1]=n*l,e[2]=a*u,e[3]=o*u,e[4]=s,e[5]=f,e};qe.translate=function(e,t,r){var i=t[0],n=t[1],a=t[2],o=t[3],s=t[4],f=t[5],l=r[0],u=r[1];return e[0]=i,e[1]=n,e[2]=a,e[3]=o,e[4]=i*l+a*u+s,e[5]=n*l+o*u+f,e};qe.frob=function(e){return Math.sqrt(Math.pow(e[0],2)+Math.pow(e[1],2)+Math.pow(e[2],2)+Math.pow(e[3],2)+Math.pow(e[4],2)+Math.pow(e[5],2)+1)};var we=qe;var Ze=function(){this.array=we.create(),this._dirty=!0};Ze.prototype={constructor:Ze,setArray:function(e){for(var t=0;t<this.array.length;t++)this.array[t]=e[t];return this._dirty=!0,this},clone:function(){return new Ze().copy(this)},copy:function(e){return we.copy(this.array,e.array),this._dirty=!0,this},determinant:function(){return we.determinant(this.array)},identity:function(){return we.identity(this.array),this._dirty=!0,this},invert:function(){return we.invert(this.array,this.array),this._dirty=!0,this},mul:function(e){return we.mul(this.array,this.array,e.array),this._dirty=!0,this},mulLeft:function(e){return we.mul(this.array,e.array,this.array),this._dirty=!0,this},multiply:function(e){return we.multiply(this.array,this.array,e.array),this._dirty=!0,this},multiplyLeft:function(e){return we.multiply(this.array,e.array,this.array),this._dirty=!0,this},rotate:function(e){return we.rotate(this.array,this.array,e),this._dirty=!0,this},scale:function(e){return we.scale(this.array,this.array,e.array),this._dirty=!0,this},translate:function(e){return we.translate(this.array,this.array,e.array),this._dirty=!0,this},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};Ze.copy=function(e,t){return we.copy(e.array,t.array),e._dirty=!0,e};Ze.determinant=function(e){return we.determinant(e.array)};Ze.identity=function(e){return we.identity(e.array),e._dirty=!0,e};Ze.invert=function(e,t){return we.invert(e.array,t.array),e._dirty=!0,e};Ze.mul=function(e,t,r){return we.mul(e.array,t.array,r.array),e._dirty=!0,e};Ze.multiply=Ze.mul;Ze.rotate=function(e,t,r){return we.rotate(e.array,t.array,r),e._dirty=!0,e};Ze.scale=function(e,t,r){return we.scale(e.array,t.array,r.array),e._dirty=!0,e};Ze.translate=function(e,t,r){return we.translate(e.array,t.array,r.array),e._dirty=!0,e};var Ts=Ze;var De=function(){this.array=K.create(),this._dirty=!0};De.prototype={constructor:De,setArray:function(e){for(var t=0;t<this.array.length;t++)this.array[t]=e[t];return this._dirty=!0,this},adjoint:function(){return K.adjoint(this.array,this.array),this._dirty=!0,this},clone:function(){return new De().copy(this)},copy:function(e){return K.copy(this.array,e.array),this._dirty=!0,this},determinant:function(){return K.determinant(this.array)},fromMat2d:function(e){return K.fromMat2d(this.array,e.array),this._dirty=!0,this},fromMat4:function(e){return K.fromMat4(this.array,e.array),this._dirty=!0,this},fromQuat:function(e){return K.fromQuat(this.array,e.array),this._dirty=!0,this},identity:function(){return K.identity(this.array),this._dirty=!0,this},invert:function(){return K.invert(this.array,this.array),this._dirty=!0,this},mul:function(e){return K.mul(this.array,this.array,e.array),this._dirty=!0,this},mulLeft:function(e){return K.mul(this.array,e.array,this.array),this._dirty=!0,this},multiply:function(e){return K.multiply(this.array,this.array,e.array),this._dirty=!0,this},multiplyLeft:function(e){return K.multiply(this.array,e.array,this.array),this._dirty=!0,this},rotate:function(e){return K.rotate(this.array,this.array,e),this._dirty=!0,this},scale:function(e){return K.scale(this.array,this.array,e.array),this._dirty=!0,this},translate:function(e){return K.translate(this.array,this.array,e.array),this._dirty=!0,this},normalFromMat4:function(e){return K.normalFromMat4(this.array,e.array),this._dirty=!0,this},transpose:function(){return K.transpose(this.array,this.array),this._dirty=!0,this},toString:function(){return"["+Array.prototype.join.call(this.array,",")+"]"},toArray:function(){return Array.prototype.slice.call(this.array)}};De.adjoint=function(e,t){return K.adjoint(e.array,t.array),e._dirty=!0,e};De.copy=function(e,t){return K.copy(e.array,t.array),e._dirty=!0,e};De.determinant=function(e){return K.determinant(e.array)};De.identity=function(e){return K.identity(e.array),e._dirty=!0,e};De.invert=function(e,t){return K.invert(e.array,t.array),e};De.mul=function(e,t,r){return K.mul(e.array,t.array,r.array),e._dirty=!0,e};De.multiply=De.mul;De.fromMat2d=function(e,t){return K.fromMat2d(e.array,t.array),e._dirty=!0,e};De.fromMat4=function(e,t){return K.fromMat4(e.array,t.array),e._dirty=!0,e};De.fromQuat=function(e,t){return K.fromQuat(e.array,t.array),e._dirty=!0,e};De.normalFromMat4=function(e,t){return K.normalFromMat4(e.array,t.array),e._dirty=!0,e};De.rotate=function(e,t,r){return K.rotate(e.array,t.array,r),e._dirty=!0,e};De.scale=function(e,t,r){return K.scale(e.array,t.array,r.array),e._dirty=!0,e};De.transpose=function(e,t){return K.transpose(e.array,t.array),e._dirty=!0,e};De.translate=function(e,t,r){return K.translate(e.array,t.array,r.array),e._dirty=!0,e};var Es=De;var th={_animators:null,getAnimators:function(){return this._animators=this._animators||[],this._animators},animate:function(e,t){this._animators=this._animators||[];var r=this,i;if(e){for(var n=e.split("."),a=r,o=0,s=n.length;o<s;o++)a&&(a=a[n[o]]);a&&(i=a)}else i=r;if(i==null)throw new Error("Target "+e+" not exists");var f=this._animators,l=new Fa(i,t),u=this;return l.during(function(){u.__zr&&u.__zr.refresh()}).done(function(){var c=f.indexOf(l);c>=0&&f.splice(c,1)}),f.push(l),this.__zr&&this.__zr.animation.addAnimator(l),l},stopAnimation:function(e){this._animators=this._animators||[];for(var t=this._animators,r=t.length,i=0;i<r;i++)t[i].stop(e);return t.length=0,this},addAnimatorsToZr:function(e){if(this._animators)for(var t=0;t<this._animators.length;t++)e.animation.addAnimator(this._animators[t])},removeAnimatorsFromZr:function(e){if(this._animators)for(var t=0;t<this._animators.length;t++)e.animation.removeAnimator(this._animators[t])}},Ss=th;var Ii=`
@export clay.util.rand
highp float rand(vec2 uv) {
 const highp float a = 12.9898, b = 78.233, c = 43758.5453;
 highp float dt = dot(uv.xy, vec2(a,b)), sn = mod(dt, 3.141592653589793);
 return fract(sin(sn) * c);
}
@end
@export clay.util.calculate_attenuation
uniform float attenuationFactor : 5.0;
float lightAttenuation(float dist, float range)
{
 float attenuation = 1.0;
 attenuation = dist*dist/(range*range+1.0);
 float att_s = attenuationFactor;
 attenuation = 1.0/(attenuation*att_s+1.0);
 att_s = 1.0/(att_s+1.0);
 attenuation = attenuation - att_s;
 attenuation /= 1.0 - att_s;
 return clamp(attenuation, 0.0, 1.0);
}
@end
@export clay.util.edge_factor
#ifdef SUPPORT_STANDARD_DERIVATIVES
float edgeFactor(float width)
{
 vec3 d = fwidth(v_Barycentric);
 vec3 a3 = smoothstep(vec3(0.0), d * width, v_Barycentric);
 return min(min(a3.x, a3.y), a3.z);
}
#else
float edgeFactor(float width)
{
 return 1.0;
}
#endif
@end
@export clay.util.encode_float
vec4 encodeFloat(const in float depth)
{
 const vec4 bitShifts = vec4(256.0*256.0*256.0, 256.0*256.0, 256.0, 1.0);
 const vec4 bit_mask = vec4(0.0, 1.0/256.0, 1.0/256.0, 1.0/256.0);
 vec4 res = fract(depth * bitShifts);
 res -= res.xxyz * bit_mask;
 return res;
}
@end
@export clay.util.decode_float
float decodeFloat(const in vec4 color)
{
 const vec4 bitShifts = vec4(1.0/(256.0*256.0*256.0), 1.0/(256.0*256.0), 1.0/256.0, 1.0);
 return dot(color, bitShifts);
}
@end
@export clay.util.float
@import clay.util.encode_float
@import clay.util.decode_float
@end
@export clay.util.rgbm_decode
vec3 RGBMDecode(vec4 rgbm, float range) {
 return range * rgbm.rgb * rgbm.a;
}
@end
@export clay.util.rgbm_encode
vec4 RGBMEncode(vec3 color, float range) {
 if (dot(color, color) == 0.0) {
 return vec4(0.0);
 }
 vec4 rgbm;
 color /= range;
 rgbm.a = clamp(max(max(color.r, color.g), max(color.b, 1e-6)), 0.0, 1.0);
 rgbm.a = ceil(rgbm.a * 255.0) / 255.0;
 rgbm.rgb = color / rgbm.a;
 return rgbm;
}
@end
@export clay.util.rgbm
@import clay.util.rgbm_decode
@import clay.util.rgbm_encode
vec4 decodeHDR(vec4 color)
{
#if defined(RGBM_DECODE) || defined(RGBM)
 return vec4(RGBMDecode(color, 8.12), 1.0);
#else
 return color;
#endif
}
vec4 encodeHDR(vec4 color)
{
#if defined(RGBM_ENCODE) || defined(RGBM)
 return RGBMEncode(color.xyz, 8.12);
#else
 return color;
#endif
}
@end
@export clay.util.srgb
vec4 sRGBToLinear(in vec4 value) {
 return vec4(mix(pow(value.rgb * 0.9478672986 + vec3(0.0521327014), vec3(2.4)), value.rgb * 0.0773993808, vec3(lessThanEqual(value.rgb, vec3(0.04045)))), value.w);
}
vec4 linearTosRGB(in vec4 value) {
 return vec4(mix(pow(value.rgb, vec3(0.41666)) * 1.055 - vec3(0.055), value.rgb * 12.92, vec3(lessThanEqual(value.rgb, vec3(0.0031308)))), value.w);
}
@end
@export clay.chunk.skinning_header
#ifdef SKINNING
attribute vec3 weight : WEIGHT;
attribute vec4 joint : JOINT;
#ifdef USE_SKIN_MATRICES_TEXTURE
uniform sampler2D skinMatricesTexture : ignore;
uniform float skinMatricesTextureSize: ignore;
mat4 getSkinMatrix(sampler2D tex, float idx) {
 float j = idx * 4.0;
 float x = mod(j, skinMatricesTextureSize);
 float y = floor(j / skinMatricesTextureSize) + 0.5;
 vec2 scale = vec2(skinMatricesTextureSize);
 return mat4(
 texture2D(tex, vec2(x + 0.5, y) / scale),
 texture2D(tex, vec2(x + 1.5, y) / scale),
 texture2D(tex, vec2(x + 2.5, y) / scale),
 texture2D(tex, vec2(x + 3.5, y) / scale)
 );
}
mat4 getSkinMatrix(float idx) {
 return getSkinMatrix(skinMatricesTexture, idx);
}
#else
uniform mat4 skinMatrix[JOINT_COUNT] : SKIN_MATRIX;
mat4 getSkinMatrix(float idx) {
 return skinMatrix[int(idx)];
}
#endif
#endif
@end
@export clay.chunk.skin_matrix
mat4 skinMatrixWS = getSkinMatrix(joint.x) * weight.x;
if (weight.y > 1e-4)
{
 skinMatrixWS += getSkinMatrix(joint.y) * weight.y;
}
if (weight.z > 1e-4)
{
 skinMatrixWS += getSkinMatrix(joint.z) * weight.z;
}
float weightW = 1.0-weight.x-weight.y-weight.z;
if (weightW > 1e-4)
{
 skinMatrixWS += getSkinMatrix(joint.w) * weightW;
}
@end
@export clay.chunk.instancing_header
#ifdef INSTANCING
attribute vec4 instanceMat1;
attribute vec4 instanceMat2;
attribute vec4 instanceMat3;
#endif
@end
@export clay.chunk.instancing_matrix
mat4 instanceMat = mat4(
 vec4(instanceMat1.xyz, 0.0),
 vec4(instanceMat2.xyz, 0.0),
 vec4(instanceMat3.xyz, 0.0),
 vec4(instanceMat1.w, instanceMat2.w, instanceMat3.w, 1.0)
);
@end
@export clay.util.parallax_correct
vec3 parallaxCorrect(in vec3 dir, in vec3 pos, in vec3 boxMin, in vec3 boxMax) {
 vec3 first = (boxMax - pos) / dir;
 vec3 second = (boxMin - pos) / dir;
 vec3 further = max(first, second);
 float dist = min(further.x, min(further.y, further.z));
 vec3 fixedPos = pos + dir * dist;
 vec3 boxCenter = (boxMax + boxMin) * 0.5;
 return normalize(fixedPos - boxCenter);
}
@end
@export clay.util.clamp_sample
vec4 clampSample(const in sampler2D texture, const in vec2 coord)
{
#ifdef STEREO
 float eye = step(0.5, coord.x) * 0.5;
 vec2 coordClamped = clamp(coord, vec2(eye, 0.0), vec2(0.5 + eye, 1.0));
#else
 vec2 coordClamped = clamp(coord, vec2(0.0), vec2(1.0));
#endif
 return texture2D(texture, coordClamped);
}
@end
@export clay.util.ACES
vec3 ACESToneMapping(vec3 color)
{
 const float A = 2.51;
 const float B = 0.03;
 const float C = 2.43;
 const float D = 0.59;
 const float E = 0.14;
 return (color * (A * color + B)) / (color * (C * color + D) + E);
}
@end`;var As=`
@export ecgl.common.transformUniforms
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform mat4 worldInverseTranspose : WORLDINVERSETRANSPOSE;
uniform mat4 world : WORLD;
@end

@export ecgl.common.attributes
attribute vec3 position : POSITION;
attribute vec2 texcoord : TEXCOORD_0;
attribute vec3 normal : NORMAL;
@end

@export ecgl.common.uv.header
uniform vec2 uvRepeat : [1.0, 1.0];
uniform vec2 uvOffset : [0.0, 0.0];
uniform vec2 detailUvRepeat : [1.0, 1.0];
uniform vec2 detailUvOffset : [0.0, 0.0];

varying vec2 v_Texcoord;
varying vec2 v_DetailTexcoord;
@end

@export ecgl.common.uv.main
v_Texcoord = texcoord * uvRepeat + uvOffset;
v_DetailTexcoord = texcoord * detailUvRepeat + detailUvOffset;
@end

@export ecgl.common.uv.fragmentHeader
varying vec2 v_Texcoord;
varying vec2 v_DetailTexcoord;
@end


@export ecgl.common.albedo.main

 vec4 albedoTexel = vec4(1.0);
#ifdef DIFFUSEMAP_ENABLED
 albedoTexel = texture2D(diffuseMap, v_Texcoord);
 #ifdef SRGB_DECODE
 albedoTexel = sRGBToLinear(albedoTexel);
 #endif
#endif

#ifdef DETAILMAP_ENABLED
 vec4 detailTexel = texture2D(detailMap, v_DetailTexcoord);
 #ifdef SRGB_DECODE
 detailTexel = sRGBToLinear(detailTexel);
 #endif
 albedoTexel.rgb = mix(albedoTexel.rgb, detailTexel.rgb, detailTexel.a);
 albedoTexel.a = detailTexel.a + (1.0 - detailTexel.a) * albedoTexel.a;
#endif

@end

@export ecgl.common.wireframe.vertexHeader

#ifdef WIREFRAME_QUAD
attribute vec4 barycentric;
varying vec4 v_Barycentric;
#elif defined(WIREFRAME_TRIANGLE)
attribute vec3 barycentric;
varying vec3 v_Barycentric;
#endif

@end

@export ecgl.common.wireframe.vertexMain

#if defined(WIREFRAME_QUAD) || defined(WIREFRAME_TRIANGLE)
 v_Barycentric = barycentric;
#endif

@end


@export ecgl.common.wireframe.fragmentHeader

uniform float wireframeLineWidth : 1;
uniform vec4 wireframeLineColor: [0, 0, 0, 0.5];

#ifdef WIREFRAME_QUAD
varying vec4 v_Barycentric;
float edgeFactor () {
 vec4 d = fwidth(v_Barycentric);
 vec4 a4 = smoothstep(vec4(0.0), d * wireframeLineWidth, v_Barycentric);
 return min(min(min(a4.x, a4.y), a4.z), a4.w);
}
#elif defined(WIREFRAME_TRIANGLE)
varying vec3 v_Barycentric;
float edgeFactor () {
 vec3 d = fwidth(v_Barycentric);
 vec3 a3 = smoothstep(vec3(0.0), d * wireframeLineWidth, v_Barycentric);
 return min(min(a3.x, a3.y), a3.z);
}
#endif

@end


@export ecgl.common.wireframe.fragmentMain

#if defined(WIREFRAME_QUAD) || defined(WIREFRAME_TRIANGLE)
 if (wireframeLineWidth > 0.) {
 vec4 lineColor = wireframeLineColor;
#ifdef SRGB_DECODE
 lineColor = sRGBToLinear(lineColor);
#endif

 gl_FragColor.rgb = mix(gl_FragColor.rgb, lineColor.rgb, (1.0 - edgeFactor()) * lineColor.a);
 }
#endif
@end




@export ecgl.common.bumpMap.header

#ifdef BUMPMAP_ENABLED
uniform sampler2D bumpMap;
uniform float bumpScale : 1.0;


vec3 bumpNormal(vec3 surfPos, vec3 surfNormal, vec3 baseNormal)
{
 vec2 dSTdx = dFdx(v_Texcoord);
 vec2 dSTdy = dFdy(v_Texcoord);

 float Hll = bumpScale * texture2D(bumpMap, v_Texcoord).x;
 float dHx = bumpScale * texture2D(bumpMap, v_Texcoord + dSTdx).x - Hll;
 float dHy = bumpScale * texture2D(bumpMap, v_Texcoord + dSTdy).x - Hll;

 vec3 vSigmaX = dFdx(surfPos);
 vec3 vSigmaY = dFdy(surfPos);
 vec3 vN = surfNormal;

 vec3 R1 = cross(vSigmaY, vN);
 vec3 R2 = cross(vN, vSigmaX);

 float fDet = dot(vSigmaX, R1);

 vec3 vGrad = sign(fDet) * (dHx * R1 + dHy * R2);
 return normalize(abs(fDet) * baseNormal - vGrad);

}
#endif

@end

@export ecgl.common.normalMap.vertexHeader

#ifdef NORMALMAP_ENABLED
attribute vec4 tangent : TANGENT;
varying vec3 v_Tangent;
varying vec3 v_Bitangent;
#endif

@end

@export ecgl.common.normalMap.vertexMain

#ifdef NORMALMAP_ENABLED
 if (dot(tangent, tangent) > 0.0) {
 v_Tangent = normalize((worldInverseTranspose * vec4(tangent.xyz, 0.0)).xyz);
 v_Bitangent = normalize(cross(v_Normal, v_Tangent) * tangent.w);
 }
#endif

@end


@export ecgl.common.normalMap.fragmentHeader

#ifdef NORMALMAP_ENABLED
uniform sampler2D normalMap;
varying vec3 v_Tangent;
varying vec3 v_Bitangent;
#endif

@end

@export ecgl.common.normalMap.fragmentMain
#ifdef NORMALMAP_ENABLED
 if (dot(v_Tangent, v_Tangent) > 0.0) {
 vec3 normalTexel = texture2D(normalMap, v_DetailTexcoord).xyz;
 if (dot(normalTexel, normalTexel) > 0.0) { N = normalTexel * 2.0 - 1.0;
 mat3 tbn = mat3(v_Tangent, v_Bitangent, v_Normal);
 N = normalize(tbn * N);
 }
 }
#endif
@end



@export ecgl.common.vertexAnimation.header

#ifdef VERTEX_ANIMATION
attribute vec3 prevPosition;
attribute vec3 prevNormal;
uniform float percent;
#endif

@end

@export ecgl.common.vertexAnimation.main

#ifdef VERTEX_ANIMATION
 vec3 pos = mix(prevPosition, position, percent);
 vec3 norm = mix(prevNormal, normal, percent);
#else
 vec3 pos = position;
 vec3 norm = normal;
#endif

@end


@export ecgl.common.ssaoMap.header
#ifdef SSAOMAP_ENABLED
uniform sampler2D ssaoMap;
uniform vec4 viewport : VIEWPORT;
#endif
@end

@export ecgl.common.ssaoMap.main
 float ao = 1.0;
#ifdef SSAOMAP_ENABLED
 ao = texture2D(ssaoMap, (gl_FragCoord.xy - viewport.xy) / viewport.zw).r;
#endif
@end




@export ecgl.common.diffuseLayer.header

#if (LAYER_DIFFUSEMAP_COUNT > 0)
uniform float layerDiffuseIntensity[LAYER_DIFFUSEMAP_COUNT];
uniform sampler2D layerDiffuseMap[LAYER_DIFFUSEMAP_COUNT];
#endif

@end

@export ecgl.common.emissiveLayer.header

#if (LAYER_EMISSIVEMAP_COUNT > 0)
uniform float layerEmissionIntensity[LAYER_EMISSIVEMAP_COUNT];
uniform sampler2D layerEmissiveMap[LAYER_EMISSIVEMAP_COUNT];
#endif

@end

@export ecgl.common.layers.header
@import ecgl.common.diffuseLayer.header
@import ecgl.common.emissiveLayer.header
@end

@export ecgl.common.diffuseLayer.main

#if (LAYER_DIFFUSEMAP_COUNT > 0)
 for (int _idx_ = 0; _idx_ < LAYER_DIFFUSEMAP_COUNT; _idx_++) {{
 float intensity = layerDiffuseIntensity[_idx_];
 vec4 texel2 = texture2D(layerDiffuseMap[_idx_], v_Texcoord);
 #ifdef SRGB_DECODE
 texel2 = sRGBToLinear(texel2);
 #endif
 albedoTexel.rgb = mix(albedoTexel.rgb, texel2.rgb * intensity, texel2.a);
 albedoTexel.a = texel2.a + (1.0 - texel2.a) * albedoTexel.a;
 }}
#endif

@end

@export ecgl.common.emissiveLayer.main

#if (LAYER_EMISSIVEMAP_COUNT > 0)
 for (int _idx_ = 0; _idx_ < LAYER_EMISSIVEMAP_COUNT; _idx_++)
 {{
 vec4 texel2 = texture2D(layerEmissiveMap[_idx_], v_Texcoord) * layerEmissionIntensity[_idx_];
 #ifdef SRGB_DECODE
 texel2 = sRGBToLinear(texel2);
 #endif
 float intensity = layerEmissionIntensity[_idx_];
 gl_FragColor.rgb += texel2.rgb * texel2.a * intensity;
 }}
#endif

@end
`;var ws=`@export ecgl.color.vertex

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;

@import ecgl.common.uv.header

attribute vec2 texcoord : TEXCOORD_0;
attribute vec3 position: POSITION;

@import ecgl.common.wireframe.vertexHeader

#ifdef VERTEX_COLOR
attribute vec4 a_Color : COLOR;
varying vec4 v_Color;
#endif

#ifdef VERTEX_ANIMATION
attribute vec3 prevPosition;
uniform float percent : 1.0;
#endif

#ifdef ATMOSPHERE_ENABLED
attribute vec3 normal: NORMAL;
uniform mat4 worldInverseTranspose : WORLDINVERSETRANSPOSE;
varying vec3 v_Normal;
#endif

void main()
{
#ifdef VERTEX_ANIMATION
 vec3 pos = mix(prevPosition, position, percent);
#else
 vec3 pos = position;
#endif

 gl_Position = worldViewProjection * vec4(pos, 1.0);

 @import ecgl.common.uv.main

#ifdef VERTEX_COLOR
 v_Color = a_Color;
#endif

#ifdef ATMOSPHERE_ENABLED
 v_Normal = normalize((worldInverseTranspose * vec4(normal, 0.0)).xyz);
#endif

 @import ecgl.common.wireframe.vertexMain

}

@end

@export ecgl.color.fragment

#define LAYER_DIFFUSEMAP_COUNT 0
#define LAYER_EMISSIVEMAP_COUNT 0

uniform sampler2D diffuseMap;
uniform sampler2D detailMap;

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];

#ifdef ATMOSPHERE_ENABLED
uniform mat4 viewTranspose: VIEWTRANSPOSE;
uniform vec3 glowColor;
uniform float glowPower;
varying vec3 v_Normal;
#endif

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif

@import ecgl.common.layers.header

@import ecgl.common.uv.fragmentHeader

@import ecgl.common.wireframe.fragmentHeader

@import clay.util.srgb

void main()
{
#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(color);
#else
 gl_FragColor = color;
#endif

#ifdef VERTEX_COLOR
 gl_FragColor *= v_Color;
#endif

 @import ecgl.common.albedo.main

 @import ecgl.common.diffuseLayer.main

 gl_FragColor *= albedoTexel;

#ifdef ATMOSPHERE_ENABLED
 float atmoIntensity = pow(1.0 - dot(v_Normal, (viewTranspose * vec4(0.0, 0.0, 1.0, 0.0)).xyz), glowPower);
 gl_FragColor.rgb += glowColor * atmoIntensity;
#endif

 @import ecgl.common.emissiveLayer.main

 @import ecgl.common.wireframe.fragmentMain

}
@end`;var bs=`/**
 * http: */

@export ecgl.lambert.vertex

@import ecgl.common.transformUniforms

@import ecgl.common.uv.header


@import ecgl.common.attributes

@import ecgl.common.wireframe.vertexHeader

#ifdef VERTEX_COLOR
attribute vec4 a_Color : COLOR;
varying vec4 v_Color;
#endif


@import ecgl.common.vertexAnimation.header


varying vec3 v_Normal;
varying vec3 v_WorldPosition;

void main()
{
 @import ecgl.common.uv.main

 @import ecgl.common.vertexAnimation.main


 gl_Position = worldViewProjection * vec4(pos, 1.0);

 v_Normal = normalize((worldInverseTranspose * vec4(norm, 0.0)).xyz);
 v_WorldPosition = (world * vec4(pos, 1.0)).xyz;

#ifdef VERTEX_COLOR
 v_Color = a_Color;
#endif

 @import ecgl.common.wireframe.vertexMain
}

@end


@export ecgl.lambert.fragment

#define LAYER_DIFFUSEMAP_COUNT 0
#define LAYER_EMISSIVEMAP_COUNT 0

#define NORMAL_UP_AXIS 1
#define NORMAL_FRONT_AXIS 2

@import ecgl.common.uv.fragmentHeader

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

uniform sampler2D diffuseMap;
uniform sampler2D detailMap;

@import ecgl.common.layers.header

uniform float emissionIntensity: 1.0;

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];

uniform mat4 viewInverse : VIEWINVERSE;

#ifdef ATMOSPHERE_ENABLED
uniform mat4 viewTranspose: VIEWTRANSPOSE;
uniform vec3 glowColor;
uniform float glowPower;
#endif

#ifdef AMBIENT_LIGHT_COUNT
@import clay.header.ambient_light
#endif
#ifdef AMBIENT_SH_LIGHT_COUNT
@import clay.header.ambient_sh_light
#endif

#ifdef DIRECTIONAL_LIGHT_COUNT
@import clay.header.directional_light
#endif

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif


@import ecgl.common.ssaoMap.header

@import ecgl.common.bumpMap.header

@import clay.util.srgb

@import ecgl.common.wireframe.fragmentHeader

@import clay.plugin.compute_shadow_map

void main()
{
#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(color);
#else
 gl_FragColor = color;
#endif

#ifdef VERTEX_COLOR
 #ifdef SRGB_DECODE
 gl_FragColor *= sRGBToLinear(v_Color);
 #else
 gl_FragColor *= v_Color;
 #endif
#endif

 @import ecgl.common.albedo.main

 @import ecgl.common.diffuseLayer.main

 gl_FragColor *= albedoTexel;

 vec3 N = v_Normal;
#ifdef DOUBLE_SIDED
 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(eyePos - v_WorldPosition);

 if (dot(N, V) < 0.0) {
 N = -N;
 }
#endif

 float ambientFactor = 1.0;

#ifdef BUMPMAP_ENABLED
 N = bumpNormal(v_WorldPosition, v_Normal, N);
 ambientFactor = dot(v_Normal, N);
#endif

 vec3 N2 = vec3(N.x, N[NORMAL_UP_AXIS], N[NORMAL_FRONT_AXIS]);

 vec3 diffuseColor = vec3(0.0, 0.0, 0.0);

 @import ecgl.common.ssaoMap.main

#ifdef AMBIENT_LIGHT_COUNT
 for(int i = 0; i < AMBIENT_LIGHT_COUNT; i++)
 {
 diffuseColor += ambientLightColor[i] * ambientFactor * ao;
 }
#endif
#ifdef AMBIENT_SH_LIGHT_COUNT
 for(int _idx_ = 0; _idx_ < AMBIENT_SH_LIGHT_COUNT; _idx_++)
 {{
 diffuseColor += calcAmbientSHLight(_idx_, N2) * ambientSHLightColor[_idx_] * ao;
 }}
#endif
#ifdef DIRECTIONAL_LIGHT_COUNT
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 float shadowContribsDir[DIRECTIONAL_LIGHT_COUNT];
 if(shadowEnabled)
 {
 computeShadowOfDirectionalLights(v_WorldPosition, shadowContribsDir);
 }
#endif
 for(int i = 0; i < DIRECTIONAL_LIGHT_COUNT; i++)
 {
 vec3 lightDirection = -directionalLightDirection[i];
 vec3 lightColor = directionalLightColor[i];

 float shadowContrib = 1.0;
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 if (shadowEnabled)
 {
 shadowContrib = shadowContribsDir[i];
 }
#endif

 float ndl = dot(N, normalize(lightDirection)) * shadowContrib;

 diffuseColor += lightColor * clamp(ndl, 0.0, 1.0);
 }
#endif

 gl_FragColor.rgb *= diffuseColor;

#ifdef ATMOSPHERE_ENABLED
 float atmoIntensity = pow(1.0 - dot(v_Normal, (viewTranspose * vec4(0.0, 0.0, 1.0, 0.0)).xyz), glowPower);
 gl_FragColor.rgb += glowColor * atmoIntensity;
#endif

 @import ecgl.common.emissiveLayer.main

 @import ecgl.common.wireframe.fragmentMain
}

@end`;var Cs=`@export ecgl.realistic.vertex

@import ecgl.common.transformUniforms

@import ecgl.common.uv.header

@import ecgl.common.attributes


@import ecgl.common.wireframe.vertexHeader

#ifdef VERTEX_COLOR
attribute vec4 a_Color : COLOR;
varying vec4 v_Color;
#endif

#ifdef NORMALMAP_ENABLED
attribute vec4 tangent : TANGENT;
varying vec3 v_Tangent;
varying vec3 v_Bitangent;
#endif

@import ecgl.common.vertexAnimation.header

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

void main()
{

 @import ecgl.common.uv.main

 @import ecgl.common.vertexAnimation.main

 gl_Position = worldViewProjection * vec4(pos, 1.0);

 v_Normal = normalize((worldInverseTranspose * vec4(norm, 0.0)).xyz);
 v_WorldPosition = (world * vec4(pos, 1.0)).xyz;

#ifdef VERTEX_COLOR
 v_Color = a_Color;
#endif

#ifdef NORMALMAP_ENABLED
 v_Tangent = normalize((worldInverseTranspose * vec4(tangent.xyz, 0.0)).xyz);
 v_Bitangent = normalize(cross(v_Normal, v_Tangent) * tangent.w);
#endif

 @import ecgl.common.wireframe.vertexMain

}

@end



@export ecgl.realistic.fragment

#define LAYER_DIFFUSEMAP_COUNT 0
#define LAYER_EMISSIVEMAP_COUNT 0
#define PI 3.14159265358979
#define ROUGHNESS_CHANEL 0
#define METALNESS_CHANEL 1

#define NORMAL_UP_AXIS 1
#define NORMAL_FRONT_AXIS 2

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif

@import ecgl.common.uv.fragmentHeader

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

uniform sampler2D diffuseMap;

uniform sampler2D detailMap;
uniform sampler2D metalnessMap;
uniform sampler2D roughnessMap;

@import ecgl.common.layers.header

uniform float emissionIntensity: 1.0;

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];

uniform float metalness : 0.0;
uniform float roughness : 0.5;

uniform mat4 viewInverse : VIEWINVERSE;

#ifdef ATMOSPHERE_ENABLED
uniform mat4 viewTranspose: VIEWTRANSPOSE;
uniform vec3 glowColor;
uniform float glowPower;
#endif

#ifdef AMBIENT_LIGHT_COUNT
@import clay.header.ambient_light
#endif

#ifdef AMBIENT_SH_LIGHT_COUNT
@import clay.header.ambient_sh_light
#endif

#ifdef AMBIENT_CUBEMAP_LIGHT_COUNT
@import clay.header.ambient_cubemap_light
#endif

#ifdef DIRECTIONAL_LIGHT_COUNT
@import clay.header.directional_light
#endif

@import ecgl.common.normalMap.fragmentHeader

@import ecgl.common.ssaoMap.header

@import ecgl.common.bumpMap.header

@import clay.util.srgb

@import clay.util.rgbm

@import ecgl.common.wireframe.fragmentHeader

@import clay.plugin.compute_shadow_map

vec3 F_Schlick(float ndv, vec3 spec) {
 return spec + (1.0 - spec) * pow(1.0 - ndv, 5.0);
}

float D_Phong(float g, float ndh) {
 float a = pow(8192.0, g);
 return (a + 2.0) / 8.0 * pow(ndh, a);
}

void main()
{
 vec4 albedoColor = color;

 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(eyePos - v_WorldPosition);
#ifdef VERTEX_COLOR
 #ifdef SRGB_DECODE
 albedoColor *= sRGBToLinear(v_Color);
 #else
 albedoColor *= v_Color;
 #endif
#endif

 @import ecgl.common.albedo.main

 @import ecgl.common.diffuseLayer.main

 albedoColor *= albedoTexel;

 float m = metalness;

#ifdef METALNESSMAP_ENABLED
 float m2 = texture2D(metalnessMap, v_DetailTexcoord)[METALNESS_CHANEL];
 m = clamp(m2 + (m - 0.5) * 2.0, 0.0, 1.0);
#endif

 vec3 baseColor = albedoColor.rgb;
 albedoColor.rgb = baseColor * (1.0 - m);
 vec3 specFactor = mix(vec3(0.04), baseColor, m);

 float g = 1.0 - roughness;

#ifdef ROUGHNESSMAP_ENABLED
 float g2 = 1.0 - texture2D(roughnessMap, v_DetailTexcoord)[ROUGHNESS_CHANEL];
 g = clamp(g2 + (g - 0.5) * 2.0, 0.0, 1.0);
#endif

 vec3 N = v_Normal;

#ifdef DOUBLE_SIDED
 if (dot(N, V) < 0.0) {
 N = -N;
 }
#endif

 float ambientFactor = 1.0;

#ifdef BUMPMAP_ENABLED
 N = bumpNormal(v_WorldPosition, v_Normal, N);
 ambientFactor = dot(v_Normal, N);
#endif

@import ecgl.common.normalMap.fragmentMain

 vec3 N2 = vec3(N.x, N[NORMAL_UP_AXIS], N[NORMAL_FRONT_AXIS]);

 vec3 diffuseTerm = vec3(0.0);
 vec3 specularTerm = vec3(0.0);

 float ndv = clamp(dot(N, V), 0.0, 1.0);
 vec3 fresnelTerm = F_Schlick(ndv, specFactor);

 @import ecgl.common.ssaoMap.main

#ifdef AMBIENT_LIGHT_COUNT
 for(int _idx_ = 0; _idx_ < AMBIENT_LIGHT_COUNT; _idx_++)
 {{
 diffuseTerm += ambientLightColor[_idx_] * ambientFactor * ao;
 }}
#endif

#ifdef AMBIENT_SH_LIGHT_COUNT
 for(int _idx_ = 0; _idx_ < AMBIENT_SH_LIGHT_COUNT; _idx_++)
 {{
 diffuseTerm += calcAmbientSHLight(_idx_, N2) * ambientSHLightColor[_idx_] * ao;
 }}
#endif

#ifdef DIRECTIONAL_LIGHT_COUNT
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 float shadowContribsDir[DIRECTIONAL_LIGHT_COUNT];
 if(shadowEnabled)
 {
 computeShadowOfDirectionalLights(v_WorldPosition, shadowContribsDir);
 }
#endif
 for(int _idx_ = 0; _idx_ < DIRECTIONAL_LIGHT_COUNT; _idx_++)
 {{
 vec3 L = -directionalLightDirection[_idx_];
 vec3 lc = directionalLightColor[_idx_];

 vec3 H = normalize(L + V);
 float ndl = clamp(dot(N, normalize(L)), 0.0, 1.0);
 float ndh = clamp(dot(N, H), 0.0, 1.0);

 float shadowContrib = 1.0;
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 if (shadowEnabled)
 {
 shadowContrib = shadowContribsDir[_idx_];
 }
#endif

 vec3 li = lc * ndl * shadowContrib;

 diffuseTerm += li;
 specularTerm += li * fresnelTerm * D_Phong(g, ndh);
 }}
#endif


#ifdef AMBIENT_CUBEMAP_LIGHT_COUNT
 vec3 L = reflect(-V, N);
 L = vec3(L.x, L[NORMAL_UP_AXIS], L[NORMAL_FRONT_AXIS]);
 float rough2 = clamp(1.0 - g, 0.0, 1.0);
 float bias2 = rough2 * 5.0;
 vec2 brdfParam2 = texture2D(ambientCubemapLightBRDFLookup[0], vec2(rough2, ndv)).xy;
 vec3 envWeight2 = specFactor * brdfParam2.x + brdfParam2.y;
 vec3 envTexel2;
 for(int _idx_ = 0; _idx_ < AMBIENT_CUBEMAP_LIGHT_COUNT; _idx_++)
 {{
 envTexel2 = RGBMDecode(textureCubeLodEXT(ambientCubemapLightCubemap[_idx_], L, bias2), 8.12);
 specularTerm += ambientCubemapLightColor[_idx_] * envTexel2 * envWeight2 * ao;
 }}
#endif

 gl_FragColor.rgb = albedoColor.rgb * diffuseTerm + specularTerm;
 gl_FragColor.a = albedoColor.a;

#ifdef ATMOSPHERE_ENABLED
 float atmoIntensity = pow(1.0 - dot(v_Normal, (viewTranspose * vec4(0.0, 0.0, 1.0, 0.0)).xyz), glowPower);
 gl_FragColor.rgb += glowColor * atmoIntensity;
#endif

#ifdef SRGB_ENCODE
 gl_FragColor = linearTosRGB(gl_FragColor);
#endif

 @import ecgl.common.emissiveLayer.main

 @import ecgl.common.wireframe.fragmentMain
}

@end`;var Ls=`@export ecgl.hatching.vertex

@import ecgl.realistic.vertex

@end


@export ecgl.hatching.fragment

#define NORMAL_UP_AXIS 1
#define NORMAL_FRONT_AXIS 2

@import ecgl.common.uv.fragmentHeader

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

uniform vec4 color : [0.0, 0.0, 0.0, 1.0];
uniform vec4 paperColor : [1.0, 1.0, 1.0, 1.0];

uniform mat4 viewInverse : VIEWINVERSE;

#ifdef AMBIENT_LIGHT_COUNT
@import clay.header.ambient_light
#endif
#ifdef AMBIENT_SH_LIGHT_COUNT
@import clay.header.ambient_sh_light
#endif

#ifdef DIRECTIONAL_LIGHT_COUNT
@import clay.header.directional_light
#endif

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif


@import ecgl.common.ssaoMap.header

@import ecgl.common.bumpMap.header

@import clay.util.srgb

@import ecgl.common.wireframe.fragmentHeader

@import clay.plugin.compute_shadow_map

uniform sampler2D hatch1;
uniform sampler2D hatch2;
uniform sampler2D hatch3;
uniform sampler2D hatch4;
uniform sampler2D hatch5;
uniform sampler2D hatch6;

float shade(in float tone) {
 vec4 c = vec4(1. ,1., 1., 1.);
 float step = 1. / 6.;
 vec2 uv = v_DetailTexcoord;
 if (tone <= step / 2.0) {
 c = mix(vec4(0.), texture2D(hatch6, uv), 12. * tone);
 }
 else if (tone <= step) {
 c = mix(texture2D(hatch6, uv), texture2D(hatch5, uv), 6. * tone);
 }
 if(tone > step && tone <= 2. * step){
 c = mix(texture2D(hatch5, uv), texture2D(hatch4, uv) , 6. * (tone - step));
 }
 if(tone > 2. * step && tone <= 3. * step){
 c = mix(texture2D(hatch4, uv), texture2D(hatch3, uv), 6. * (tone - 2. * step));
 }
 if(tone > 3. * step && tone <= 4. * step){
 c = mix(texture2D(hatch3, uv), texture2D(hatch2, uv), 6. * (tone - 3. * step));
 }
 if(tone > 4. * step && tone <= 5. * step){
 c = mix(texture2D(hatch2, uv), texture2D(hatch1, uv), 6. * (tone - 4. * step));
 }
 if(tone > 5. * step){
 c = mix(texture2D(hatch1, uv), vec4(1.), 6. * (tone - 5. * step));
 }

 return c.r;
}

const vec3 w = vec3(0.2125, 0.7154, 0.0721);

void main()
{
#ifdef SRGB_DECODE
 vec4 inkColor = sRGBToLinear(color);
#else
 vec4 inkColor = color;
#endif

#ifdef VERTEX_COLOR
 #ifdef SRGB_DECODE
 inkColor *= sRGBToLinear(v_Color);
 #else
 inkColor *= v_Color;
 #endif
#endif

 vec3 N = v_Normal;
#ifdef DOUBLE_SIDED
 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(eyePos - v_WorldPosition);

 if (dot(N, V) < 0.0) {
 N = -N;
 }
#endif

 float tone = 0.0;

 float ambientFactor = 1.0;

#ifdef BUMPMAP_ENABLED
 N = bumpNormal(v_WorldPosition, v_Normal, N);
 ambientFactor = dot(v_Normal, N);
#endif

 vec3 N2 = vec3(N.x, N[NORMAL_UP_AXIS], N[NORMAL_FRONT_AXIS]);

 @import ecgl.common.ssaoMap.main

#ifdef AMBIENT_LIGHT_COUNT
 for(int i = 0; i < AMBIENT_LIGHT_COUNT; i++)
 {
 tone += dot(ambientLightColor[i], w) * ambientFactor * ao;
 }
#endif
#ifdef AMBIENT_SH_LIGHT_COUNT
 for(int _idx_ = 0; _idx_ < AMBIENT_SH_LIGHT_COUNT; _idx_++)
 {{
 tone += dot(calcAmbientSHLight(_idx_, N2) * ambientSHLightColor[_idx_], w) * ao;
 }}
#endif
#ifdef DIRECTIONAL_LIGHT_COUNT
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 float shadowContribsDir[DIRECTIONAL_LIGHT_COUNT];
 if(shadowEnabled)
 {
 computeShadowOfDirectionalLights(v_WorldPosition, shadowContribsDir);
 }
#endif
 for(int i = 0; i < DIRECTIONAL_LIGHT_COUNT; i++)
 {
 vec3 lightDirection = -directionalLightDirection[i];
 float lightTone = dot(directionalLightColor[i], w);

 float shadowContrib = 1.0;
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
 if (shadowEnabled)
 {
 shadowContrib = shadowContribsDir[i];
 }
#endif

 float ndl = dot(N, normalize(lightDirection)) * shadowContrib;

 tone += lightTone * clamp(ndl, 0.0, 1.0);
 }
#endif

 gl_FragColor = mix(inkColor, paperColor, shade(clamp(tone, 0.0, 1.0)));
 }
@end
`;var Rs=`@export ecgl.sm.depth.vertex

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;

attribute vec3 position : POSITION;
attribute vec2 texcoord : TEXCOORD_0;

#ifdef VERTEX_ANIMATION
attribute vec3 prevPosition;
uniform float percent : 1.0;
#endif

varying vec4 v_ViewPosition;
varying vec2 v_Texcoord;

void main(){

#ifdef VERTEX_ANIMATION
 vec3 pos = mix(prevPosition, position, percent);
#else
 vec3 pos = position;
#endif

 v_ViewPosition = worldViewProjection * vec4(pos, 1.0);
 gl_Position = v_ViewPosition;

 v_Texcoord = texcoord;

}
@end



@export ecgl.sm.depth.fragment

@import clay.sm.depth.fragment

@end`;Object.assign(Ve.prototype,Ss);N.import(Ii);N.import(xi);N.import(As);N.import(ws);N.import(bs);N.import(Cs);N.import(Ls);N.import(Rs);function rh(e){return!e||e==="none"}function Ns(e){return e instanceof HTMLCanvasElement||e instanceof HTMLImageElement||e instanceof Image}function ih(e){return e.getZr&&e.setOption}var nh=et.prototype.addToScene,ah=et.prototype.removeFromScene;et.prototype.addToScene=function(e){if(nh.call(this,e),this.__zr){var t=this.__zr;e.traverse(function(r){r.__zr=t,r.addAnimatorsToZr&&r.addAnimatorsToZr(t)})}};et.prototype.removeFromScene=function(e){ah.call(this,e),e.traverse(function(t){var r=t.__zr;t.__zr=null,r&&t.removeAnimatorsFromZr&&t.removeAnimatorsFromZr(r)})};He.prototype.setTextureImage=function(e,t,r,i){if(this.shader){var n=r.getZr(),a=this,o;return a.autoUpdateTextureStatus=!1,a.disableTexture(e),rh(t)||(o=j.loadTexture(t,r,i,function(s){a.enableTexture(e),n&&n.refresh()}),a.set(e,o)),o}};var j={};j.Renderer=Ht;j.Node=Ve;j.Mesh=hr;j.Shader=N;j.Material=He;j.Texture=I;j.Texture2D=X;j.Geometry=Te;j.SphereGeometry=ms;j.PlaneGeometry=wr;j.CubeGeometry=Di;j.AmbientLight=ps;j.DirectionalLight=vs;j.PointLight=_s;j.SpotLight=gs;j.PerspectiveCamera=Ee;j.OrthographicCamera=Lt;j.Vector2=Pe;j.Vector3=C;j.Vector4=ys;j.Quaternion=di;j.Matrix2=xs;j.Matrix2d=Ts;j.Matrix3=Es;j.Matrix4=O;j.Plane=wi;j.Ray=tr;j.BoundingBox=xe;j.Frustum=Er;var Bi=null;function oh(){return Bi!==null||(Bi=xt.createBlank("rgba(255,255,255,0)").image),Bi}function Ds(e){return Math.pow(2,Math.round(Math.log(e)/Math.LN2))}function Ms(e){if((e.wrapS===I.REPEAT||e.wrapT===I.REPEAT)&&e.image){var t=Ds(e.width),r=Ds(e.height);if(t!==e.width||r!==e.height){var i=document.createElement("canvas");i.width=t,i.height=r;var n=i.getContext("2d");n.drawImage(e.image,0,0,t,r),e.image=i}}}j.loadTexture=function(e,t,r,i){typeof r=="function"&&(i=r,r={}),r=r||{};for(var n=Object.keys(r).sort(),a="",o=0;o<n.length;o++)a+=n[o]+"_"+r[n[o]]+"_";var s=t.__textureCache=t.__textureCache||new Ba(20);if(ih(e)){var f=e.__textureid__,l=s.get(a+f);if(l)l.texture.surface.setECharts(e),i&&i(l.texture);else{var u=new as(e);u.onupdate=function(){t.getZr().refresh()},l={texture:u.getTexture()};for(var o=0;o<n.length;o++)l.texture[n[o]]=r[n[o]];f=e.__textureid__||"__ecgl_ec__"+l.texture.__uid__,e.__textureid__=f,s.put(a+f,l),i&&i(l.texture)}return l.texture}else if(Ns(e)){var f=e.__textureid__,l=s.get(a+f);if(!l){l={texture:new j.Texture2D({image:e})};for(var o=0;o<n.length;o++)l.texture[n[o]]=r[n[o]];f=e.__textureid__||"__ecgl_image__"+l.texture.__uid__,e.__textureid__=f,s.put(a+f,l),Ms(l.texture),i&&i(l.texture)}return l.texture}else{var l=s.get(a+e);if(l)l.callbacks?l.callbacks.push(i):i&&i(l.texture);else if(e.match(/.hdr$|^data:application\/octet-stream/)){l={callbacks:[i]};var c=xt.loadTexture(e,{exposure:r.exposure,fileType:"hdr"},function(){c.dirty(),l.callbacks.forEach(function(m){m&&m(c)}),l.callbacks=null});l.texture=c,s.put(a+e,l)}else{for(var c=new j.Texture2D({image:new Image}),o=0;o<n.length;o++)c[n[o]]=r[n[o]];l={texture:c,callbacks:[i]};var d=c.image;d.onload=function(){c.image=d,Ms(c),c.dirty(),l.callbacks.forEach(function(p){p&&p(c)}),l.callbacks=null},d.crossOrigin="Anonymous",d.src=e,c.image=oh(),s.put(a+e,l)}return l.texture}};j.createAmbientCubemap=function(e,t,r,i){e=e||{};var n=e.texture,a=Ce.firstNotNull(e.exposure,1),o=new us({intensity:Ce.firstNotNull(e.specularIntensity,1)}),s=new cs({intensity:Ce.firstNotNull(e.diffuseIntensity,1),coefficients:[.844,.712,.691,-.037,.083,.167,.343,.288,.299,-.041,-.021,-.009,-.003,-.041,-.064,-.011,-.007,-.004,-.031,.034,.081,-.06,-.049,-.06,.046,.056,.05]});return o.cubemap=j.loadTexture(n,r,{exposure:a},function(){if(o.cubemap.flipY=!1,0)var f;if(o.prefilter(t,32),0)var l;s.coefficients=ds.projectEnvironmentMap(t,o.cubemap,{lod:1}),i&&i()}),{specular:o,diffuse:s}};j.createBlankTexture=xt.createBlank;j.isImage=Ns;j.additiveBlend=function(e){e.blendEquation(e.FUNC_ADD),e.blendFunc(e.SRC_ALPHA,e.ONE)};j.parseColor=function(e,t){return e instanceof Array?(t||(t=[]),t[0]=e[0],t[1]=e[1],t[2]=e[2],e.length>3?t[3]=e[3]:t[3]=1,t):(t=jt.parse(e||"#000",t)||[0,0,0,0],t[0]/=255,t[1]/=255,t[2]/=255,t)};j.directionFromAlphaBeta=function(e,t){var r=e/180*Math.PI+Math.PI/2,i=-t/180*Math.PI+Math.PI/2,n=[],a=Math.sin(r);return n[0]=a*Math.cos(i),n[1]=-Math.cos(r),n[2]=a*Math.sin(i),n};j.getShadowResolution=function(e){var t=1024;switch(e){case"low":t=512;break;case"medium":break;case"high":t=2048;break;case"ultra":t=4096;break}return t};j.COMMON_SHADERS=["lambert","color","realistic","hatching","shadow"];j.createShader=function(e){e==="ecgl.shadow"&&(e="ecgl.displayShadow");var t=N.source(e+".vertex"),r=N.source(e+".fragment");t||console.error("Vertex shader of '%s' not exits",e),r||console.error("Fragment shader of '%s' not exits",e);var i=new N(t,r);return i.name=e,i};j.createMaterial=function(e,t){t instanceof Array||(t=[t]);var r=j.createShader(e),i=new He({shader:r});return t.forEach(function(n){typeof n=="string"&&i.define(n)}),i};j.setMaterialFromModel=function(e,t,r,i){t.autoUpdateTextureStatus=!1;var n=r.getModel(e+"Material"),a=n.get("detailTexture"),o=Ce.firstNotNull(n.get("textureTiling"),1),s=Ce.firstNotNull(n.get("textureOffset"),0);typeof o=="number"&&(o=[o,o]),typeof s=="number"&&(s=[s,s]);var f=o[0]>1||o[1]>1?j.Texture.REPEAT:j.Texture.CLAMP_TO_EDGE,l={anisotropic:8,wrapS:f,wrapT:f};if(e==="realistic"){var u=n.get("roughness"),c=n.get("metalness");c!=null?isNaN(c)&&(t.setTextureImage("metalnessMap",c,i,l),c=Ce.firstNotNull(n.get("metalnessAdjust"),.5)):c=0,u!=null?isNaN(u)&&(t.setTextureImage("roughnessMap",u,i,l),u=Ce.firstNotNull(n.get("roughnessAdjust"),.5)):u=.5;var d=n.get("normalTexture");t.setTextureImage("detailMap",a,i,l),t.setTextureImage("normalMap",d,i,l),t.set({roughness:u,metalness:c,detailUvRepeat:o,detailUvOffset:s})}else if(e==="lambert")t.setTextureImage("detailMap",a,i,l),t.set({detailUvRepeat:o,detailUvOffset:s});else if(e==="color")t.setTextureImage("detailMap",a,i,l),t.set({detailUvRepeat:o,detailUvOffset:s});else if(e==="hatching"){var h=n.get("hatchingTextures")||[];h.length<6;for(var m=0;m<6;m++)t.setTextureImage("hatch"+(m+1),h[m],i,{anisotropic:8,wrapS:j.Texture.REPEAT,wrapT:j.Texture.REPEAT});t.set({detailUvRepeat:o,detailUvOffset:s})}};j.updateVertexAnimation=function(e,t,r,i){var n=i.get("animation"),a=i.get("animationDurationUpdate"),o=i.get("animationEasingUpdate"),s=r.shadowDepthMaterial;if(n&&t&&a>0&&t.geometry.vertexCount===r.geometry.vertexCount){r.material.define("vertex","VERTEX_ANIMATION"),r.ignorePreZ=!0,s&&s.define("vertex","VERTEX_ANIMATION");for(var f=0;f<e.length;f++)r.geometry.attributes[e[f][0]].value=t.geometry.attributes[e[f][1]].value;r.geometry.dirty(),r.__percent=0,r.material.set("percent",0),r.stopAnimation(),r.animate().when(a,{__percent:1}).during(function(){r.material.set("percent",r.__percent),s&&s.set("percent",r.__percent)}).done(function(){r.ignorePreZ=!1,r.material.undefine("vertex","VERTEX_ANIMATION"),s&&s.undefine("vertex","VERTEX_ANIMATION")}).start(o)}else r.material.undefine("vertex","VERTEX_ANIMATION"),s&&s.undefine("vertex","VERTEX_ANIMATION")};var b=j;var ea=le.extend({scene:null,camera:null,renderer:null},function(){this._ray=new tr,this._ndc=new Pe},{pick:function(e,t,r){var i=this.pickAll(e,t,[],r);return i[0]||null},pickAll:function(e,t,r,i){return this.renderer.screenToNDC(e,t,this._ndc),this.camera.castRay(this._ndc,this._ray),r=r||[],this._intersectNode(this.scene,r,i||!1),r.sort(this._intersectionCompareFunc),r},_intersectNode:function(e,t,r){e instanceof Wr&&e.isRenderable()&&(!e.ignorePicking||r)&&(e.mode===S.TRIANGLES&&e.geometry.isUseIndices()||e.geometry.pickByRay||e.geometry.pick)&&this._intersectRenderable(e,t);for(var i=0;i<e._children.length;i++)this._intersectNode(e._children[i],t,r)},_intersectRenderable:(function(){var e=new C,t=new C,r=new C,i=new tr,n=new O;return function(a,o){var s=a.isSkinnedMesh();i.copy(this._ray),O.invert(n,a.worldTransform),s||i.applyTransform(n);var f=a.geometry,l=s?a.skeleton.boundingBox:f.boundingBox;if(!(l&&!i.intersectBoundingBox(l))){if(f.pick){f.pick(this._ndc.x,this._ndc.y,this.renderer,this.camera,a,o);return}else if(f.pickByRay){f.pickByRay(i,a,o);return}var u=a.cullFace===S.BACK&&a.frontFace===S.CCW||a.cullFace===S.FRONT&&a.frontFace===S.CW,c,d=f.indices,h=f.attributes.position,m=f.attributes.weight,p=f.attributes.joint,v,_=[];if(!(!h||!h.value||!d)){if(s){v=a.skeleton.getSubSkinMatrices(a.__uid__,a.joints);for(var x=0;x<a.joints.length;x++){_[x]=_[x]||[];for(var T=0;T<16;T++)_[x][T]=v[x*16+T]}var g=[],E=[],A=[],R=[],w=[],D=f.attributes.skinnedPosition;(!D||!D.value)&&(f.createAttribute("skinnedPosition","f",3),D=f.attributes.skinnedPosition,D.init(f.vertexCount));for(var x=0;x<f.vertexCount;x++){h.get(x,g),m.get(x,E),p.get(x,A),E[3]=1-E[0]-E[1]-E[2],y.set(R,0,0,0);for(var T=0;T<4;T++)A[T]>=0&&E[T]>1e-4&&(y.transformMat4(w,g,_[A[T]]),y.scaleAndAdd(R,R,w,E[T]));D.set(x,R)}}for(var x=0;x<d.length;x+=3){var W=d[x],P=d[x+1],H=d[x+2],F=s?f.attributes.skinnedPosition:h;if(F.get(W,e.array),F.get(P,t.array),F.get(H,r.array),u?c=i.intersectTriangle(e,t,r,a.culling):c=i.intersectTriangle(e,r,t,a.culling),c){var B=new C;s?C.copy(B,c):C.transformMat4(B,c,a.worldTransform),o.push(new ea.Intersection(c,B,a,[W,P,H],x/3,C.dist(B,this._ray.origin)))}}}}}})(),_intersectionCompareFunc:function(e,t){return e.distance-t.distance}});ea.Intersection=function(e,t,r,i,n,a){this.point=e,this.pointWorld=t,this.target=r,this.triangle=i,this.triangleIndex=n,this.distance=a};var Ps=ea;var fe=function(e,t){this.id=e,this.zr=t;try{this.renderer=new Ht({clearBit:0,devicePixelRatio:t.painter.dpr,preserveDrawingBuffer:!0,premultipliedAlpha:!0}),this.renderer.resize(t.painter.getWidth(),t.painter.getHeight())}catch(i){this.renderer=null,this.dom=document.createElement("div"),this.dom.style.cssText="position:absolute; left: 0; top: 0; right: 0; bottom: 0;",this.dom.className="ecgl-nowebgl",this.dom.innerHTML="Sorry, your browser does not support WebGL",console.error(i);return}this.onglobalout=this.onglobalout.bind(this),t.on("globalout",this.onglobalout),this.dom=this.renderer.canvas;var r=this.dom.style;r.position="absolute",r.left="0",r.top="0",this.views=[],this._picking=new Ps({renderer:this.renderer}),this._viewsToDispose=[],this._accumulatingId=0,this._zrEventProxy=new qt.Rect({shape:{x:-1,y:-1,width:2,height:2},__isGLToZRProxy:!0}),this._backgroundColor=null,this._disposed=!1};fe.prototype.setUnpainted=function(){};fe.prototype.addView=function(e){if(e.layer!==this){var t=this._viewsToDispose.indexOf(e);t>=0&&this._viewsToDispose.splice(t,1),this.views.push(e),e.layer=this;var r=this.zr;e.scene.traverse(function(i){i.__zr=r,i.addAnimatorsToZr&&i.addAnimatorsToZr(r)})}};function Os(e){var t=e.__zr;e.__zr=null,t&&e.removeAnimatorsFromZr&&e.removeAnimatorsFromZr(t)}fe.prototype.removeView=function(e){if(e.layer===this){var t=this.views.indexOf(e);t>=0&&(this.views.splice(t,1),e.scene.traverse(Os,this),e.layer=null,this._viewsToDispose.push(e))}};fe.prototype.removeViewsAll=function(){this.views.forEach(function(e){e.scene.traverse(Os,this),e.layer=null,this._viewsToDispose.push(e)},this),this.views.length=0};fe.prototype.resize=function(e,t){var r=this.renderer;r.resize(e,t)};fe.prototype.clear=function(){var e=this.renderer.gl,t=this._backgroundColor||[0,0,0,0];e.clearColor(t[0],t[1],t[2],t[3]),e.depthMask(!0),e.colorMask(!0,!0,!0,!0),e.clear(e.DEPTH_BUFFER_BIT|e.COLOR_BUFFER_BIT)};fe.prototype.clearDepth=function(){var e=this.renderer.gl;e.clear(e.DEPTH_BUFFER_BIT)};fe.prototype.clearColor=function(){var e=this.renderer.gl;e.clearColor(0,0,0,0),e.clear(e.COLOR_BUFFER_BIT)};fe.prototype.needsRefresh=function(){this.zr.refresh()};fe.prototype.refresh=function(e){this._backgroundColor=e?b.parseColor(e):[0,0,0,0],this.renderer.clearColor=this._backgroundColor;for(var t=0;t<this.views.length;t++)this.views[t].prepareRender(this.renderer);this._doRender(!1),this._trackAndClean();for(var t=0;t<this._viewsToDispose.length;t++)this._viewsToDispose[t].dispose(this.renderer);this._viewsToDispose.length=0,this._startAccumulating()};fe.prototype.renderToCanvas=function(e){this._startAccumulating(!0),e.drawImage(this.dom,0,0,e.canvas.width,e.canvas.height)};fe.prototype._doRender=function(e){this.clear(),this.renderer.saveViewport();for(var t=0;t<this.views.length;t++)this.views[t].render(this.renderer,e);this.renderer.restoreViewport()};fe.prototype._stopAccumulating=function(){this._accumulatingId=0,clearTimeout(this._accumulatingTimeout)};var sh=1;fe.prototype._startAccumulating=function(e){var t=this;this._stopAccumulating();for(var r=!1,i=0;i<this.views.length;i++)r=this.views[i].needsAccumulate()||r;if(!r)return;function n(a){if(!(!t._accumulatingId||a!==t._accumulatingId)){for(var o=!0,s=0;s<t.views.length;s++)o=t.views[s].isAccumulateFinished()&&r;o||(t._doRender(!0),e?n(a):Pa(function(){n(a)}))}}this._accumulatingId=sh++,e?n(t._accumulatingId):this._accumulatingTimeout=setTimeout(function(){n(t._accumulatingId)},50)};fe.prototype._trackAndClean=function(){var e=[],t=[];this._textureList&&(Ui(this._textureList),Ui(this._geometriesList));for(var r=0;r<this.views.length;r++)fh(this.views[r].scene,e,t);this._textureList&&(Hi(this.renderer,this._textureList),Hi(this.renderer,this._geometriesList)),this._textureList=e,this._geometriesList=t};function Ui(e){for(var t=0;t<e.length;t++)e[t].__used__=0}function Hi(e,t){for(var r=0;r<t.length;r++)t[r].__used__||t[r].dispose(e)}function Fi(e,t){e.__used__=e.__used__||0,e.__used__++,e.__used__===1&&t.push(e)}function fh(e,t,r){var i,n;e.traverse(function(o){if(o.isRenderable()){var s=o.geometry,f=o.material;if(f!==i)for(var l=f.getTextureUniforms(),u=0;u<l.length;u++){var c=l[u],d=f.uniforms[c].value;if(d){if(d instanceof I)Fi(d,t);else if(d instanceof Array)for(var h=0;h<d.length;h++)d[h]instanceof I&&Fi(d[h],t)}}s!==n&&Fi(s,r),i=f,n=s}});for(var a=0;a<e.lights.length;a++)e.lights[a].cubemap&&Fi(e.lights[a].cubemap,t)}fe.prototype.dispose=function(){this._disposed||(this._stopAccumulating(),this._textureList&&(Ui(this._textureList),Ui(this._geometriesList),Hi(this.renderer,this._textureList),Hi(this.renderer,this._geometriesList)),this.zr.off("globalout",this.onglobalout),this._disposed=!0)};fe.prototype.onmousedown=function(e){if(!(e.target&&e.target.__isGLToZRProxy)){e=e.event;var t=this.pickObject(e.offsetX,e.offsetY);t&&(this._dispatchEvent("mousedown",e,t),this._dispatchDataEvent("mousedown",e,t)),this._downX=e.offsetX,this._downY=e.offsetY}};fe.prototype.onmousemove=function(e){if(!(e.target&&e.target.__isGLToZRProxy)){e=e.event;var t=this.pickObject(e.offsetX,e.offsetY),r=t&&t.target,i=this._hovered;this._hovered=t,i&&r!==i.target&&(i.relatedTarget=r,this._dispatchEvent("mouseout",e,i),this.zr.setCursorStyle("default")),this._dispatchEvent("mousemove",e,t),t&&(this.zr.setCursorStyle("pointer"),(!i||r!==i.target)&&this._dispatchEvent("mouseover",e,t)),this._dispatchDataEvent("mousemove",e,t)}};fe.prototype.onmouseup=function(e){if(!(e.target&&e.target.__isGLToZRProxy)){e=e.event;var t=this.pickObject(e.offsetX,e.offsetY);t&&(this._dispatchEvent("mouseup",e,t),this._dispatchDataEvent("mouseup",e,t)),this._upX=e.offsetX,this._upY=e.offsetY}};fe.prototype.onclick=fe.prototype.dblclick=function(e){if(!(e.target&&e.target.__isGLToZRProxy)){var t=this._upX-this._downX,r=this._upY-this._downY;if(!(Math.sqrt(t*t+r*r)>20)){e=e.event;var i=this.pickObject(e.offsetX,e.offsetY);i&&(this._dispatchEvent(e.type,e,i),this._dispatchDataEvent(e.type,e,i));var n=this._clickToSetFocusPoint(e);if(n){var a=n.view.setDOFFocusOnPoint(n.distance);a&&this.zr.refresh()}}}};fe.prototype._clickToSetFocusPoint=function(e){for(var t=this.renderer,r=t.viewport,i=this.views.length-1;i>=0;i--){var n=this.views[i];if(n.hasDOF()&&n.containPoint(e.offsetX,e.offsetY)){this._picking.scene=n.scene,this._picking.camera=n.camera,t.viewport=n.viewport;var a=this._picking.pick(e.offsetX,e.offsetY,!0);if(a)return a.view=n,a}}t.viewport=r};fe.prototype.onglobalout=function(e){var t=this._hovered;t&&this._dispatchEvent("mouseout",e,{target:t.target})};fe.prototype.pickObject=function(e,t){for(var r=[],i=this.renderer,n=i.viewport,a=0;a<this.views.length;a++){var o=this.views[a];o.containPoint(e,t)&&(this._picking.scene=o.scene,this._picking.camera=o.camera,i.viewport=o.viewport,this._picking.pickAll(e,t,r))}return i.viewport=n,r.sort(function(s,f){return s.distance-f.distance}),r[0]};fe.prototype._dispatchEvent=function(e,t,r){r||(r={});var i=r.target;for(r.cancelBubble=!1,r.event=t,r.type=e,r.offsetX=t.offsetX,r.offsetY=t.offsetY;i&&(i.trigger(e,r),i=i.getParent(),!r.cancelBubble););this._dispatchToView(e,r)};fe.prototype._dispatchDataEvent=function(e,t,r){var i=r&&r.target,n=i&&i.dataIndex,a=i&&i.seriesIndex,o=i&&i.eventData,s=!1,f=this._zrEventProxy;f.x=t.offsetX,f.y=t.offsetY,f.update();var l={target:f};let u=gt.getECData(f);e==="mousemove"&&(n!=null?n!==this._lastDataIndex&&(parseInt(this._lastDataIndex,10)>=0&&(u.dataIndex=this._lastDataIndex,u.seriesIndex=this._lastSeriesIndex,this.zr.handler.dispatchToElement(l,"mouseout",t)),s=!0):o!=null&&o!==this._lastEventData&&(this._lastEventData!=null&&(u.eventData=this._lastEventData,this.zr.handler.dispatchToElement(l,"mouseout",t)),s=!0),this._lastEventData=o,this._lastDataIndex=n,this._lastSeriesIndex=a),u.eventData=o,u.dataIndex=n,u.seriesIndex=a,(o!=null||parseInt(n,10)>=0&&parseInt(a,10)>=0)&&(this.zr.handler.dispatchToElement(l,e,t),s&&this.zr.handler.dispatchToElement(l,"mouseover",t))};fe.prototype._dispatchToView=function(e,t){for(var r=0;r<this.views.length;r++)this.views[r].containPoint(t.offsetX,t.offsetY)&&this.views[r].trigger(e,t)};Object.assign(fe.prototype,ur);var ta=fe;var lh=["bar3D","line3D","map3D","scatter3D","surface","lines3D","scatterGL","scatter3D"];function $r(e,t){if(e&&e[t]&&(e[t].normal||e[t].emphasis)){var r=e[t].normal,i=e[t].emphasis;r&&(e[t]=r),i&&(e.emphasis=e.emphasis||{},e.emphasis[t]=i)}}function uh(e){$r(e,"itemStyle"),$r(e,"lineStyle"),$r(e,"areaStyle"),$r(e,"label")}function Gi(e){e&&(e instanceof Array||(e=[e]),te.each(e,function(t){if(t.axisLabel){var r=t.axisLabel;Object.assign(r,r.textStyle),r.textStyle=null}}))}function Is(e){te.each(e.series,function(t){te.indexOf(lh,t.type)>=0&&(uh(t),t.coordinateSystem==="mapbox"&&(t.coordinateSystem="mapbox3D",e.mapbox3D=e.mapbox))}),Gi(e.xAxis3D),Gi(e.yAxis3D),Gi(e.zAxis3D),Gi(e.grid3D),$r(e.geo3D)}function Bs(e,t,r){try{return Object.defineProperty(e,t,{value:r,configurable:!0,writable:!0}),!0}catch{}try{return Reflect.set(e,t,r)}catch{}return!1}var ei=ye;Bs(ei,"graphicGL",b);function Fs(e){this._layers={},this._zr=e}Fs.prototype.update=function(e,t){var r=this,i=t.getZr();if(!i.getWidth()||!i.getHeight()){console.warn("Dom has no width or height");return}function n(s){i.setSleepAfterStill(0);var f;s.coordinateSystem&&s.coordinateSystem.model,f=s.get("zlevel");var l=r._layers,u=l[f];if(!u){if(u=l[f]=new ta("gl-"+f,i),i.painter.isSingleCanvas()){u.virtual=!0;var c=new ei.graphic.Image({z:1e4,style:{image:u.renderer.canvas},silent:!0});u.__hostImage=c,i.add(c)}i.painter.insertLayer(f,u)}return u.__hostImage&&u.__hostImage.setStyle({width:u.renderer.getWidth(),height:u.renderer.getHeight()}),u}function a(s,f){s&&s.traverse(function(l){l.isRenderable&&l.isRenderable()&&(l.ignorePicking=l.$ignorePicking!=null?l.$ignorePicking:f)})}for(var o in this._layers)this._layers[o].removeViewsAll();e.eachComponent(function(s,f){if(s!=="series"){var l=t.getViewOfComponentModel(f),u=f.coordinateSystem;if(l.__ecgl__){var c;if(u){if(!u.viewGL){console.error("Can't find viewGL in coordinateSystem of component "+f.id);return}c=u.viewGL}else{if(!f.viewGL){console.error("Can't find viewGL of component "+f.id);return}c=u.viewGL}var c=u.viewGL,d=n(f);d.addView(c),l.afterRender&&l.afterRender(f,e,t,d),a(l.groupGL,f.get("silent"))}}}),e.eachSeries(function(s){var f=t.getViewOfSeriesModel(s),l=s.coordinateSystem;if(f.__ecgl__){if(l&&!l.viewGL&&!f.viewGL){console.error("Can't find viewGL of series "+f.id);return}var u=l&&l.viewGL||f.viewGL,c=n(s);c.addView(u),f.afterRender&&f.afterRender(s,e,t,c),a(f.groupGL,s.get("silent"))}})};ei.registerPostInit(function(e){var t=e.getZr(),r=t.painter.dispose;t.painter.dispose=function(){typeof this.eachOtherLayer=="function"&&this.eachOtherLayer(function(i){i instanceof ta&&i.dispose()}),r.call(this)}});ei.registerPostUpdate(function(e,t){var r=t.getZr(),i=r.__egl=r.__egl||new Fs(r);i.update(e,t)});ei.registerPreprocessor(Is);var Us={defaultOption:{viewControl:{projection:"perspective",autoRotate:!1,autoRotateDirection:"cw",autoRotateSpeed:10,autoRotateAfterStill:3,damping:.8,rotateSensitivity:1,zoomSensitivity:1,panSensitivity:1,panMouseButton:"middle",rotateMouseButton:"left",distance:150,minDistance:40,maxDistance:400,orthographicSize:150,maxOrthographicSize:400,minOrthographicSize:20,center:[0,0,0],alpha:0,beta:0,minAlpha:-90,maxAlpha:90}},setView:function(e){e=e||{},this.option.viewControl=this.option.viewControl||{},e.alpha!=null&&(this.option.viewControl.alpha=e.alpha),e.beta!=null&&(this.option.viewControl.beta=e.beta),e.distance!=null&&(this.option.viewControl.distance=e.distance),e.center!=null&&(this.option.viewControl.center=e.center)}};var Hs={defaultOption:{postEffect:{enable:!1,bloom:{enable:!0,intensity:.1},depthOfField:{enable:!1,focalRange:20,focalDistance:50,blurRadius:10,fstop:2.8,quality:"medium"},screenSpaceAmbientOcclusion:{enable:!1,radius:2,quality:"medium",intensity:1},screenSpaceReflection:{enable:!1,quality:"medium",maxRoughness:.8},colorCorrection:{enable:!0,exposure:0,brightness:0,contrast:1,saturation:1,lookupTexture:""},edge:{enable:!1},FXAA:{enable:!1}},temporalSuperSampling:{enable:"auto"}}};var Gs={defaultOption:{light:{main:{shadow:!1,shadowQuality:"high",color:"#fff",intensity:1,alpha:0,beta:0},ambient:{color:"#fff",intensity:.2},ambientCubemap:{texture:null,exposure:1,diffuseIntensity:.5,specularIntensity:.5}}}};var zs={defaultOption:{shading:null,realisticMaterial:{textureTiling:1,textureOffset:0,detailTexture:null},lambertMaterial:{textureTiling:1,textureOffset:0,detailTexture:null},colorMaterial:{textureTiling:1,textureOffset:0,detailTexture:null},hatchingMaterial:{textureTiling:1,textureOffset:0,paperColor:"#fff"}}};function Vs(e,t){e.id=e.id||e.name||t+""}var ar=_n.extend({type:"globe",layoutMode:"box",coordinateSystem:null,init:function(){ar.superApply(this,"init",arguments),te.each(this.option.layers,function(e,t){te.merge(e,this.defaultLayerOption),Vs(e,t)},this)},mergeOption:function(e){var t=this.option.layers;this.option.layers=null,ar.superApply(this,"mergeOption",arguments);function r(o){return te.reduce(o,function(s,f,l){return Vs(f,l),s[f.id]=f,s},{})}if(t&&t.length){var i=r(e.layers),n=r(t);for(var a in i)n[a]?te.merge(n[a],i[a],!0):t.push(e.layers[a]);this.option.layers=t}te.each(this.option.layers,function(o){te.merge(o,this.defaultLayerOption)},this)},optionUpdated:function(){this.updateDisplacementHash()},defaultLayerOption:{show:!0,type:"overlay"},defaultOption:{show:!0,zlevel:-10,left:0,top:0,width:"100%",height:"100%",environment:"auto",baseColor:"#fff",baseTexture:"",heightTexture:"",displacementTexture:"",displacementScale:0,displacementQuality:"medium",globeRadius:100,globeOuterRadius:150,shading:"lambert",light:{main:{time:""}},atmosphere:{show:!1,offset:5,color:"#ffffff",glowPower:6,innerGlowPower:2},viewControl:{autoRotate:!0,panSensitivity:0,targetCoord:null},layers:[]},setDisplacementData:function(e,t,r){this.displacementData=e,this.displacementWidth=t,this.displacementHeight=r},getDisplacementTexture:function(){return this.get("displacementTexture")||this.get("heightTexture")},getDisplacemenScale:function(){var e=this.getDisplacementTexture(),t=this.get("displacementScale");return(!e||e==="none")&&(t=0),t},hasDisplacement:function(){return this.getDisplacemenScale()>0},_displacementChanged:!0,_displacementScale:0,updateDisplacementHash:function(){var e=this.getDisplacementTexture(),t=this.getDisplacemenScale();this._displacementChanged=this._displacementTexture!==e||this._displacementScale!==t,this._displacementTexture=e,this._displacementScale=t},isDisplacementChanged:function(){return this._displacementChanged}});te.merge(ar.prototype,Us);te.merge(ar.prototype,Hs);te.merge(ar.prototype,Gs);te.merge(ar.prototype,zs);var ks=ar;var ti=Ce.firstNotNull,Ws={left:0,middle:1,right:2};function Xs(e){return e instanceof Array||(e=[e,e]),e}var js=le.extend(function(){return{zr:null,viewGL:null,_center:new C,minDistance:.5,maxDistance:1.5,maxOrthographicSize:300,minOrthographicSize:30,minAlpha:-90,maxAlpha:90,minBeta:-1/0,maxBeta:1/0,autoRotateAfterStill:0,autoRotateDirection:"cw",autoRotateSpeed:60,damping:.8,rotateSensitivity:1,zoomSensitivity:1,panSensitivity:1,panMouseButton:"middle",rotateMouseButton:"left",_mode:"rotate",_camera:null,_needsUpdate:!1,_rotating:!1,_phi:0,_theta:0,_mouseX:0,_mouseY:0,_rotateVelocity:new Pe,_panVelocity:new Pe,_distance:500,_zoomSpeed:0,_stillTimeout:0,_animators:[]}},function(){["_mouseDownHandler","_mouseWheelHandler","_mouseMoveHandler","_mouseUpHandler","_pinchHandler","_contextMenuHandler","_update"].forEach(function(e){this[e]=this[e].bind(this)},this)},{init:function(){var e=this.zr;e&&(e.on("mousedown",this._mouseDownHandler),e.on("globalout",this._mouseUpHandler),e.on("mousewheel",this._mouseWheelHandler),e.on("pinch",this._pinchHandler),e.animation.on("frame",this._update),e.dom.addEventListener("contextmenu",this._contextMenuHandler))},dispose:function(){var e=this.zr;e&&(e.off("mousedown",this._mouseDownHandler),e.off("mousemove",this._mouseMoveHandler),e.off("mouseup",this._mouseUpHandler),e.off("mousewheel",this._mouseWheelHandler),e.off("pinch",this._pinchHandler),e.off("globalout",this._mouseUpHandler),e.dom.removeEventListener("contextmenu",this._contextMenuHandler),e.animation.off("frame",this._update)),this.stopAllAnimation()},getDistance:function(){return this._distance},setDistance:function(e){this._distance=e,this._needsUpdate=!0},getOrthographicSize:function(){return this._orthoSize},setOrthographicSize:function(e){this._orthoSize=e,this._needsUpdate=!0},getAlpha:function(){return this._theta/Math.PI*180},getBeta:function(){return-this._phi/Math.PI*180},getCenter:function(){return this._center.toArray()},setAlpha:function(e){e=Math.max(Math.min(this.maxAlpha,e),this.minAlpha),this._theta=e/180*Math.PI,this._needsUpdate=!0},setBeta:function(e){e=Math.max(Math.min(this.maxBeta,e),this.minBeta),this._phi=-e/180*Math.PI,this._needsUpdate=!0},setCenter:function(e){this._center.setArray(e)},setViewGL:function(e){this.viewGL=e},getCamera:function(){return this.viewGL.camera},setFromViewControlModel:function(e,t){t=t||{};var r=t.baseDistance||0,i=t.baseOrthoSize||1,n=e.get("projection");n!=="perspective"&&n!=="orthographic"&&n!=="isometric"&&(n="perspective"),this._projection=n,this.viewGL.setProjection(n);var a=e.get("distance")+r,o=e.get("orthographicSize")+i;[["damping",.8],["autoRotate",!1],["autoRotateAfterStill",3],["autoRotateDirection","cw"],["autoRotateSpeed",10],["minDistance",30],["maxDistance",400],["minOrthographicSize",30],["maxOrthographicSize",300],["minAlpha",-90],["maxAlpha",90],["minBeta",-1/0],["maxBeta",1/0],["rotateSensitivity",1],["zoomSensitivity",1],["panSensitivity",1],["panMouseButton","left"],["rotateMouseButton","middle"]].forEach(function(d){this[d[0]]=ti(e.get(d[0]),d[1])},this),this.minDistance+=r,this.maxDistance+=r,this.minOrthographicSize+=i,this.maxOrthographicSize+=i;var s=e.ecModel,f={};["animation","animationDurationUpdate","animationEasingUpdate"].forEach(function(d){f[d]=ti(e.get(d),s&&s.get(d))});var l=ti(t.alpha,e.get("alpha"))||0,u=ti(t.beta,e.get("beta"))||0,c=ti(t.center,e.get("center"))||[0,0,0];f.animation&&f.animationDurationUpdate>0&&this._notFirst?this.animateTo({alpha:l,beta:u,center:c,distance:a,orthographicSize:o,easing:f.animationEasingUpdate,duration:f.animationDurationUpdate}):(this.setDistance(a),this.setAlpha(l),this.setBeta(u),this.setCenter(c),this.setOrthographicSize(o)),this._notFirst=!0,this._validateProperties()},_validateProperties:function(){},animateTo:function(e){var t=this.zr,r=this,i={},n={};return e.distance!=null&&(i.distance=this.getDistance(),n.distance=e.distance),e.orthographicSize!=null&&(i.orthographicSize=this.getOrthographicSize(),n.orthographicSize=e.orthographicSize),e.alpha!=null&&(i.alpha=this.getAlpha(),n.alpha=e.alpha),e.beta!=null&&(i.beta=this.getBeta(),n.beta=e.beta),e.center!=null&&(i.center=this.getCenter(),n.center=e.center),this._addAnimator(t.animation.animate(i).when(e.duration||1e3,n).during(function(){i.alpha!=null&&r.setAlpha(i.alpha),i.beta!=null&&r.setBeta(i.beta),i.distance!=null&&r.setDistance(i.distance),i.center!=null&&r.setCenter(i.center),i.orthographicSize!=null&&r.setOrthographicSize(i.orthographicSize),r._needsUpdate=!0})).start(e.easing||"linear")},stopAllAnimation:function(){for(var e=0;e<this._animators.length;e++)this._animators[e].stop();this._animators.length=0},update:function(){this._needsUpdate=!0,this._update(20)},_isAnimating:function(){return this._animators.length>0},_update:function(e){if(this._rotating){var t=(this.autoRotateDirection==="cw"?1:-1)*this.autoRotateSpeed/180*Math.PI;this._phi-=t*e/1e3,this._needsUpdate=!0}else this._rotateVelocity.len()>0&&(this._needsUpdate=!0);(Math.abs(this._zoomSpeed)>.1||this._panVelocity.len()>0)&&(this._needsUpdate=!0),this._needsUpdate&&(e=Math.min(e,50),this._updateDistanceOrSize(e),this._updatePan(e),this._updateRotate(e),this._updateTransform(),this.getCamera().update(),this.zr&&this.zr.refresh(),this.trigger("update"),this._needsUpdate=!1)},_updateRotate:function(e){var t=this._rotateVelocity;this._phi=t.y*e/20+this._phi,this._theta=t.x*e/20+this._theta,this.setAlpha(this.getAlpha()),this.setBeta(this.getBeta()),this._vectorDamping(t,Math.pow(this.damping,e/16))},_updateDistanceOrSize:function(e){this._projection==="perspective"?this._setDistance(this._distance+this._zoomSpeed*e/20):this._setOrthoSize(this._orthoSize+this._zoomSpeed*e/20),this._zoomSpeed*=Math.pow(this.damping,e/16)},_setDistance:function(e){this._distance=Math.max(Math.min(e,this.maxDistance),this.minDistance)},_setOrthoSize:function(e){this._orthoSize=Math.max(Math.min(e,this.maxOrthographicSize),this.minOrthographicSize);var t=this.getCamera(),r=this._orthoSize,i=r/this.viewGL.viewport.height*this.viewGL.viewport.width;t.left=-i/2,t.right=i/2,t.top=r/2,t.bottom=-r/2},_updatePan:function(e){var t=this._panVelocity,r=this._distance,i=this.getCamera(),n=i.worldTransform.y,a=i.worldTransform.x;this._center.scaleAndAdd(a,-t.x*r/200).scaleAndAdd(n,-t.y*r/200),this._vectorDamping(t,0)},_updateTransform:function(){var e=this.getCamera(),t=new C,r=this._theta+Math.PI/2,i=this._phi+Math.PI/2,n=Math.sin(r);t.x=n*Math.cos(i),t.y=-Math.cos(r),t.z=n*Math.sin(i),e.position.copy(this._center).scaleAndAdd(t,this._distance),e.rotation.identity().rotateY(-this._phi).rotateX(-this._theta)},_startCountingStill:function(){clearTimeout(this._stillTimeout);var e=this.autoRotateAfterStill,t=this;!isNaN(e)&&e>0&&(this._stillTimeout=setTimeout(function(){t._rotating=!0},e*1e3))},_vectorDamping:function(e,t){var r=e.len();r=r*t,r<1e-4&&(r=0),e.normalize().scale(r)},_decomposeTransform:function(){if(this.getCamera()){this.getCamera().updateWorldTransform();var e=this.getCamera().worldTransform.z,t=Math.asin(e.y),r=Math.atan2(e.x,e.z);this._theta=t,this._phi=-r,this.setBeta(this.getBeta()),this.setAlpha(this.getAlpha()),this.getCamera().aspect?this._setDistance(this.getCamera().position.dist(this._center)):this._setOrthoSize(this.getCamera().top-this.getCamera().bottom)}},_mouseDownHandler:function(e){if(!e.target&&!this._isAnimating()){var t=e.offsetX,r=e.offsetY;this.viewGL&&!this.viewGL.containPoint(t,r)||(this.zr.on("mousemove",this._mouseMoveHandler),this.zr.on("mouseup",this._mouseUpHandler),e.event.targetTouches?e.event.targetTouches.length===1&&(this._mode="rotate"):e.event.button===Ws[this.rotateMouseButton]?this._mode="rotate":e.event.button===Ws[this.panMouseButton]?this._mode="pan":this._mode="",this._rotateVelocity.set(0,0),this._rotating=!1,this.autoRotate&&this._startCountingStill(),this._mouseX=e.offsetX,this._mouseY=e.offsetY)}},_mouseMoveHandler:function(e){if(!(e.target&&e.target.__isGLToZRProxy)&&!this._isAnimating()){var t=Xs(this.panSensitivity),r=Xs(this.rotateSensitivity);this._mode==="rotate"?(this._rotateVelocity.y=(e.offsetX-this._mouseX)/this.zr.getHeight()*2*r[0],this._rotateVelocity.x=(e.offsetY-this._mouseY)/this.zr.getWidth()*2*r[1]):this._mode==="pan"&&(this._panVelocity.x=(e.offsetX-this._mouseX)/this.zr.getWidth()*t[0]*400,this._panVelocity.y=(-e.offsetY+this._mouseY)/this.zr.getHeight()*t[1]*400),this._mouseX=e.offsetX,this._mouseY=e.offsetY,e.event.preventDefault()}},_mouseWheelHandler:function(e){if(!this._isAnimating()){var t=e.event.wheelDelta||-e.event.detail;this._zoomHandler(e,t)}},_pinchHandler:function(e){this._isAnimating()||(this._zoomHandler(e,e.pinchScale>1?1:-1),this._mode="")},_zoomHandler:function(e,t){if(t!==0){var r=e.offsetX,i=e.offsetY;if(!(this.viewGL&&!this.viewGL.containPoint(r,i))){var n;this._projection==="perspective"?n=Math.max(Math.max(Math.min(this._distance-this.minDistance,this.maxDistance-this._distance))/20,.5):n=Math.max(Math.max(Math.min(this._orthoSize-this.minOrthographicSize,this.maxOrthographicSize-this._orthoSize))/20,.5),this._zoomSpeed=(t>0?-1:1)*n*this.zoomSensitivity,this._rotating=!1,this.autoRotate&&this._mode==="rotate"&&this._startCountingStill(),e.event.preventDefault()}}},_mouseUpHandler:function(){this.zr.off("mousemove",this._mouseMoveHandler),this.zr.off("mouseup",this._mouseUpHandler)},_isRightMouseButtonUsed:function(){return this.rotateMouseButton==="right"||this.panMouseButton==="right"},_contextMenuHandler:function(e){this._isRightMouseButtonUsed()&&e.preventDefault()},_addAnimator:function(e){var t=this._animators;return t.push(e),e.done(function(){var r=t.indexOf(e);r>=0&&t.splice(r,1)}),e}});Object.defineProperty(js.prototype,"autoRotate",{get:function(e){return this._autoRotate},set:function(e){this._autoRotate=e,this._rotating=e}});var Ys=js;function ra(){}ra.prototype={constructor:ra,setScene:function(e){this._scene=e,this._skybox&&this._skybox.attachScene(this._scene)},initLight:function(e){this._lightRoot=e,this.mainLight=new b.DirectionalLight({shadowBias:.005}),this.ambientLight=new b.AmbientLight,e.add(this.mainLight),e.add(this.ambientLight)},dispose:function(){this._lightRoot&&(this._lightRoot.remove(this.mainLight),this._lightRoot.remove(this.ambientLight))},updateLight:function(e){var t=this.mainLight,r=this.ambientLight,i=e.getModel("light"),n=i.getModel("main"),a=i.getModel("ambient");t.intensity=n.get("intensity"),r.intensity=a.get("intensity"),t.color=b.parseColor(n.get("color")).slice(0,3),r.color=b.parseColor(a.get("color")).slice(0,3);var o=n.get("alpha")||0,s=n.get("beta")||0;t.position.setArray(b.directionFromAlphaBeta(o,s)),t.lookAt(b.Vector3.ZERO),t.castShadow=n.get("shadow"),t.shadowResolution=b.getShadowResolution(n.get("shadowQuality"))},updateAmbientCubemap:function(e,t,r){var i=t.getModel("light.ambientCubemap"),n=i.get("texture");if(n){this._cubemapLightsCache=this._cubemapLightsCache||{};var a=this._cubemapLightsCache[n];if(!a){var o=this;a=this._cubemapLightsCache[n]=b.createAmbientCubemap(i.option,e,r,function(){o._isSkyboxFromAmbientCubemap&&o._skybox.setEnvironmentMap(a.specular.cubemap),r.getZr().refresh()})}this._lightRoot.add(a.diffuse),this._lightRoot.add(a.specular),this._currentCubemapLights=a}else this._currentCubemapLights&&(this._lightRoot.remove(this._currentCubemapLights.diffuse),this._lightRoot.remove(this._currentCubemapLights.specular),this._currentCubemapLights=null)},updateSkybox:function(e,t,r){var i=t.get("environment"),n=this;function a(){return n._skybox=n._skybox||new zt,n._skybox}var o=a();if(i&&i!=="none")if(i==="auto")if(this._isSkyboxFromAmbientCubemap=!0,this._currentCubemapLights){var s=this._currentCubemapLights.specular.cubemap;o.setEnvironmentMap(s),this._scene&&o.attachScene(this._scene),o.material.set("lod",3)}else this._skybox&&this._skybox.detachScene();else if(typeof i=="object"&&i.colorStops||typeof i=="string"&&jt.parse(i)){this._isSkyboxFromAmbientCubemap=!1;var f=new b.Texture2D({anisotropic:8,flipY:!1});o.setEnvironmentMap(f);var l=f.image=document.createElement("canvas");l.width=l.height=16;var u=l.getContext("2d"),c=new qt.Rect({shape:{x:0,y:0,width:16,height:16},style:{fill:i}});Br(u,c),o.attachScene(this._scene)}else{this._isSkyboxFromAmbientCubemap=!1;var f=b.loadTexture(i,r,{anisotropic:8,flipY:!1});o.setEnvironmentMap(f),o.attachScene(this._scene)}else this._skybox&&this._skybox.detachScene(this._scene),this._skybox=null;var d=t.coordinateSystem;if(this._skybox)if(d&&d.viewGL&&i!=="auto"&&!(i.match&&i.match(/.hdr$/))){var h=d.viewGL.isLinearSpace()?"define":"undefine";this._skybox.material[h]("fragment","SRGB_DECODE")}else this._skybox.material.undefine("fragment","SRGB_DECODE")}};var qs=ra;var Zs=Math.PI,ft=Math.sin,Rt=Math.cos,Ks=Math.tan,Qs=Math.asin,Js=Math.atan2,or=Zs/180,ch=1e3*60*60*24,hh=2440588,dh=2451545;function mh(e){return e.valueOf()/ch-.5+hh}function ph(e){return mh(e)-dh}var zi=or*23.4397;function vh(e,t){return Js(ft(e)*Rt(zi)-Ks(t)*ft(zi),Rt(e))}function _h(e,t){return Qs(ft(t)*Rt(zi)+Rt(t)*ft(zi)*ft(e))}function gh(e,t,r){return Js(ft(e),Rt(e)*ft(t)-Ks(r)*Rt(t))}function yh(e,t,r){return Qs(ft(t)*ft(r)+Rt(t)*Rt(r)*Rt(e))}function xh(e,t){return or*(280.16+360.9856235*e)-t}function Th(e){return or*(357.5291+.98560028*e)}function Eh(e){var t=or*(1.9148*ft(e)+.02*ft(2*e)+3e-4*ft(3*e)),r=or*102.9372;return e+t+r+Zs}function Sh(e){var t=Th(e),r=Eh(t);return{dec:_h(r,0),ra:vh(r,0)}}var $s={};$s.getPosition=function(e,t,r){var i=or*-r,n=or*t,a=ph(e),o=Sh(a),s=xh(a,i)-o.ra;return{azimuth:gh(s,n,o.dec),altitude:yh(s,n,o.dec)}};var ef=$s;var tf=`@export ecgl.atmosphere.vertex
attribute vec3 position: POSITION;
attribute vec3 normal : NORMAL;
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform mat4 normalMatrix : WORLDINVERSETRANSPOSE;

varying vec3 v_Normal;

void main() {
 v_Normal = normalize((normalMatrix * vec4(normal, 0.0)).xyz);
 gl_Position = worldViewProjection * vec4(position, 1.0);
}
@end


@export ecgl.atmosphere.fragment
uniform mat4 viewTranspose: VIEWTRANSPOSE;
uniform float glowPower;
uniform vec3 glowColor;

varying vec3 v_Normal;

void main() {
 float intensity = pow(1.0 - dot(v_Normal, (viewTranspose * vec4(0.0, 0.0, 1.0, 0.0)).xyz), glowPower);
 gl_FragColor = vec4(glowColor, intensity * intensity);
}
@end`;b.Shader.import(Ii);b.Shader.import(tf);var rf=gn.extend({type:"globe",__ecgl__:!0,_displacementScale:0,init:function(e,t){this.groupGL=new b.Node,this._sphereGeometry=new b.SphereGeometry({widthSegments:200,heightSegments:100,dynamic:!0}),this._overlayGeometry=new b.SphereGeometry({widthSegments:80,heightSegments:40}),this._planeGeometry=new b.PlaneGeometry,this._earthMesh=new b.Mesh({renderNormal:!0}),this._atmosphereMesh=new b.Mesh,this._atmosphereGeometry=new b.SphereGeometry({widthSegments:80,heightSegments:40}),this._atmosphereMaterial=new b.Material({shader:new b.Shader(b.Shader.source("ecgl.atmosphere.vertex"),b.Shader.source("ecgl.atmosphere.fragment")),transparent:!0}),this._atmosphereMesh.geometry=this._atmosphereGeometry,this._atmosphereMesh.material=this._atmosphereMaterial,this._atmosphereMesh.frontFace=b.Mesh.CW,this._lightRoot=new b.Node,this._sceneHelper=new qs,this._sceneHelper.initLight(this._lightRoot),this.groupGL.add(this._atmosphereMesh),this.groupGL.add(this._earthMesh),this._control=new Ys({zr:t.getZr()}),this._control.init(),this._layerMeshes={}},render:function(e,t,r){var i=e.coordinateSystem,n=e.get("shading");i.viewGL.add(this._lightRoot),e.get("show")?i.viewGL.add(this.groupGL):i.viewGL.remove(this.groupGL),this._sceneHelper.setScene(i.viewGL.scene),i.viewGL.setPostEffect(e.getModel("postEffect"),r),i.viewGL.setTemporalSuperSampling(e.getModel("temporalSuperSampling"));var a=this._earthMesh;a.geometry=this._sphereGeometry;var o="ecgl."+n;(!a.material||a.material.shader.name!==o)&&(a.material=b.createMaterial(o)),b.setMaterialFromModel(n,a.material,e,r),["roughnessMap","metalnessMap","detailMap","normalMap"].forEach(function(c){var d=a.material.get(c);d&&(d.flipY=!1)}),a.material.set("color",b.parseColor(e.get("baseColor")));var s=i.radius*.99;if(a.scale.set(s,s,s),e.get("atmosphere.show")){a.material.define("both","ATMOSPHERE_ENABLED"),this._atmosphereMesh.invisible=!1,this._atmosphereMaterial.setUniforms({glowPower:e.get("atmosphere.glowPower")||6,glowColor:e.get("atmosphere.color")||"#ffffff"}),a.material.setUniforms({glowPower:e.get("atmosphere.innerGlowPower")||2,glowColor:e.get("atmosphere.color")||"#ffffff"});var f=e.get("atmosphere.offset")||5;this._atmosphereMesh.scale.set(s+f,s+f,s+f)}else a.material.undefine("both","ATMOSPHERE_ENABLED"),this._atmosphereMesh.invisible=!0;var l=a.material.setTextureImage("diffuseMap",e.get("baseTexture"),r,{flipY:!1,anisotropic:8});l&&l.surface&&l.surface.attachToMesh(a);var u=a.material.setTextureImage("bumpMap",e.get("heightTexture"),r,{flipY:!1,anisotropic:8});u&&u.surface&&u.surface.attachToMesh(a),a.material[e.get("postEffect.enable")?"define":"undefine"]("fragment","SRGB_DECODE"),this._updateLight(e,r),this._displaceVertices(e,r),this._updateViewControl(e,r),this._updateLayers(e,r)},afterRender:function(e,t,r,i){var n=i.renderer;this._sceneHelper.updateAmbientCubemap(n,e,r),this._sceneHelper.updateSkybox(n,e,r)},_updateLayers:function(e,t){var r=e.coordinateSystem,i=e.get("layers"),n=r.radius,a=[],o=[],s=[],f=[];te.each(i,function(h){var m=new vn(h),p=m.get("type"),v=b.loadTexture(m.get("texture"),t,{flipY:!1,anisotropic:8});if(v.surface&&v.surface.attachToMesh(this._earthMesh),p==="blend"){var _=m.get("blendTo"),x=Ce.firstNotNull(m.get("intensity"),1);_==="emission"?(s.push(v),f.push(x)):(a.push(v),o.push(x))}else{var T=m.get("id"),g=this._layerMeshes[T];g||(g=this._layerMeshes[T]=new b.Mesh({geometry:this._overlayGeometry,castShadow:!1,ignorePicking:!0}));var E=m.get("shading");E==="lambert"?(g.material=g.__lambertMaterial||new b.Material({autoUpdateTextureStatus:!1,shader:b.createShader("ecgl.lambert"),transparent:!0,depthMask:!1}),g.__lambertMaterial=g.material):(g.material=g.__colorMaterial||new b.Material({autoUpdateTextureStatus:!1,shader:b.createShader("ecgl.color"),transparent:!0,depthMask:!1}),g.__colorMaterial=g.material),g.material.enableTexture("diffuseMap");var A=m.get("distance"),R=n+(A??r.radius/100);g.scale.set(R,R,R),n=R;var w=this._blankTexture||(this._blankTexture=b.createBlankTexture("rgba(255, 255, 255, 0)"));g.material.set("diffuseMap",w),b.loadTexture(m.get("texture"),t,{flipY:!1,anisotropic:8},function(D){D.surface&&D.surface.attachToMesh(g),g.material.set("diffuseMap",D),t.getZr().refresh()}),m.get("show")?this.groupGL.add(g):this.groupGL.remove(g)}},this);var l=this._earthMesh.material;l.define("fragment","LAYER_DIFFUSEMAP_COUNT",a.length),l.define("fragment","LAYER_EMISSIVEMAP_COUNT",s.length),l.set("layerDiffuseMap",a),l.set("layerDiffuseIntensity",o),l.set("layerEmissiveMap",s),l.set("layerEmissionIntensity",f);var u=e.getModel("debug.wireframe");if(u.get("show")){l.define("both","WIREFRAME_TRIANGLE");var c=b.parseColor(u.get("lineStyle.color")||"rgba(0,0,0,0.5)"),d=Ce.firstNotNull(u.get("lineStyle.width"),1);l.set("wireframeLineWidth",d),l.set("wireframeLineColor",c)}else l.undefine("both","WIREFRAME_TRIANGLE")},_updateViewControl:function(e,t){var r=e.coordinateSystem,i=e.getModel("viewControl"),n=r.viewGL.camera,a=this;function o(){return{type:"globeChangeCamera",alpha:s.getAlpha(),beta:s.getBeta(),distance:s.getDistance()-r.radius,center:s.getCenter(),from:a.uid,globeId:e.id}}var s=this._control;s.setViewGL(r.viewGL);var f=i.get("targetCoord"),l,u;f!=null&&(u=f[0]+90,l=f[1]),s.setFromViewControlModel(i,{baseDistance:r.radius,alpha:l,beta:u}),s.off("update"),s.on("update",function(){t.dispatchAction(o())})},_displaceVertices:function(e,t){var r=e.get("displacementQuality"),i=e.get("debug.wireframe.show"),n=e.coordinateSystem;if(!(!e.isDisplacementChanged()&&r===this._displacementQuality&&i===this._showDebugWireframe)){this._displacementQuality=r,this._showDebugWireframe=i;var a=this._sphereGeometry,o={low:100,medium:200,high:400,ultra:800}[r]||200,s=o/2;(a.widthSegments!==o||i)&&(a.widthSegments=o,a.heightSegments=s,a.build()),this._doDisplaceVertices(a,n),i&&a.generateBarycentric()}},_doDisplaceVertices:function(e,t){var r=e.attributes.position.value,i=e.attributes.texcoord0.value,n=e.__originalPosition;(!n||n.length!==r.length)&&(n=new Float32Array(r.length),n.set(r),e.__originalPosition=n);for(var a=t.displacementWidth,o=t.displacementHeight,s=t.displacementData,f=0;f<e.vertexCount;f++){var l=f*3,u=f*2,c=n[l+1],d=n[l+2],h=n[l+3],m=i[u++],p=i[u++],v=Math.round(m*(a-1)),_=Math.round(p*(o-1)),x=_*a+v,T=s?s[x]:0;r[l+1]=c+c*T,r[l+2]=d+d*T,r[l+3]=h+h*T}e.generateVertexNormals(),e.dirty(),e.updateBoundingBox()},_updateLight:function(e,t){var r=this._earthMesh;this._sceneHelper.updateLight(e);var i=this._sceneHelper.mainLight,n=e.get("light.main.time")||new Date,a=ef.getPosition(Tn.parseDate(n),0,0),o=Math.cos(a.altitude);i.position.y=-o*Math.cos(a.azimuth),i.position.x=Math.sin(a.altitude),i.position.z=o*Math.sin(a.azimuth),i.lookAt(r.getWorldPosition())},dispose:function(e,t){this.groupGL.removeAll(),this._control.dispose()}});var nf={vec2:U,vec3:y,vec4:M,mat2:_e,mat2d:we,mat3:K,mat4:L,quat:G};var tt=nf;var Ah=tt.vec3;function ia(e){this.radius=e,this.viewGL=null,this.altitudeAxis,this.displacementData=null,this.displacementWidth,this.displacementHeight}ia.prototype={constructor:ia,dimensions:["lng","lat","alt"],type:"globe",containPoint:function(){},setDisplacementData:function(e,t,r){this.displacementData=e,this.displacementWidth=t,this.displacementHeight=r},_getDisplacementScale:function(e,t){var r=(e+180)/360*(this.displacementWidth-1),i=(90-t)/180*(this.displacementHeight-1),n=Math.round(r)+Math.round(i)*this.displacementWidth;return this.displacementData[n]},dataToPoint:function(e,t){var r=e[0],i=e[1],n=e[2]||0,a=this.radius;this.displacementData&&(a*=1+this._getDisplacementScale(r,i)),this.altitudeAxis&&(a+=this.altitudeAxis.dataToCoord(n)),r=r*Math.PI/180,i=i*Math.PI/180;var o=Math.cos(i)*a;return t=t||[],t[0]=-o*Math.cos(r+Math.PI),t[1]=Math.sin(i)*a,t[2]=o*Math.sin(r+Math.PI),t},pointToData:function(e,t){var r=e[0],i=e[1],n=e[2],a=Ah.len(e);r/=a,i/=a,n/=a;var o=Math.asin(i),s=Math.atan2(n,-r);s<0&&(s=Math.PI*2+s);var f=o*180/Math.PI,l=s*180/Math.PI-180;return t=t||[],t[0]=l,t[1]=f,t[2]=a-this.radius,this.altitudeAxis&&(t[2]=this.altitudeAxis.coordToData(t[2])),t}};var na=ia;var oa=function(){this._pool={},this._allocatedTextures=[]};oa.prototype={constructor:oa,get:function(e){var t=af(e);this._pool.hasOwnProperty(t)||(this._pool[t]=[]);var r=this._pool[t];if(!r.length){var i=new X(e);return this._allocatedTextures.push(i),i}return r.pop()},put:function(e){var t=af(e);this._pool.hasOwnProperty(t)||(this._pool[t]=[]);var r=this._pool[t];r.push(e)},clear:function(e){for(var t=0;t<this._allocatedTextures.length;t++)this._allocatedTextures[t].dispose(e);this._pool={},this._allocatedTextures=[]}};var of={width:512,height:512,type:S.UNSIGNED_BYTE,format:S.RGBA,wrapS:S.CLAMP_TO_EDGE,wrapT:S.CLAMP_TO_EDGE,minFilter:S.LINEAR_MIPMAP_LINEAR,magFilter:S.LINEAR,useMipmap:!0,anisotropic:1,flipY:!0,unpackAlignment:4,premultiplyAlpha:!1},aa=Object.keys(of);function af(e){pe.defaultsWithPropList(e,of,aa),wh(e);for(var t="",r=0;r<aa.length;r++){var i=aa[r],n=e[i].toString();t+=n}return t}function wh(e){var t=bh(e.width,e.height);e.format===S.DEPTH_COMPONENT&&(e.useMipmap=!1),(!t||!e.useMipmap)&&(e.minFilter==S.NEAREST_MIPMAP_NEAREST||e.minFilter==S.NEAREST_MIPMAP_LINEAR?e.minFilter=S.NEAREST:(e.minFilter==S.LINEAR_MIPMAP_LINEAR||e.minFilter==S.LINEAR_MIPMAP_NEAREST)&&(e.minFilter=S.LINEAR)),t||(e.wrapS=S.CLAMP_TO_EDGE,e.wrapT=S.CLAMP_TO_EDGE)}function bh(e,t){return(e&e-1)===0&&(t&t-1)===0}var Vi=oa;var sf=`@export clay.sm.depth.vertex
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
attribute vec3 position : POSITION;
attribute vec2 texcoord : TEXCOORD_0;
uniform vec2 uvRepeat = vec2(1.0, 1.0);
uniform vec2 uvOffset = vec2(0.0, 0.0);
@import clay.chunk.skinning_header
@import clay.chunk.instancing_header
varying vec4 v_ViewPosition;
varying vec2 v_Texcoord;
void main(){
 vec4 P = vec4(position, 1.0);
#ifdef SKINNING
 @import clay.chunk.skin_matrix
 P = skinMatrixWS * P;
#endif
#ifdef INSTANCING
 @import clay.chunk.instancing_matrix
 P = instanceMat * P;
#endif
 v_ViewPosition = worldViewProjection * P;
 gl_Position = v_ViewPosition;
 v_Texcoord = texcoord * uvRepeat + uvOffset;
}
@end
@export clay.sm.depth.fragment
varying vec4 v_ViewPosition;
varying vec2 v_Texcoord;
uniform float bias : 0.001;
uniform float slopeScale : 1.0;
uniform sampler2D alphaMap;
uniform float alphaCutoff: 0.0;
@import clay.util.encode_float
void main(){
 float depth = v_ViewPosition.z / v_ViewPosition.w;
 if (alphaCutoff > 0.0) {
 if (texture2D(alphaMap, v_Texcoord).a <= alphaCutoff) {
 discard;
 }
 }
#ifdef USE_VSM
 depth = depth * 0.5 + 0.5;
 float moment1 = depth;
 float moment2 = depth * depth;
 #ifdef SUPPORT_STANDARD_DERIVATIVES
 float dx = dFdx(depth);
 float dy = dFdy(depth);
 moment2 += 0.25*(dx*dx+dy*dy);
 #endif
 gl_FragColor = vec4(moment1, moment2, 0.0, 1.0);
#else
 #ifdef SUPPORT_STANDARD_DERIVATIVES
 float dx = dFdx(depth);
 float dy = dFdy(depth);
 depth += sqrt(dx*dx + dy*dy) * slopeScale + bias;
 #else
 depth += bias;
 #endif
 gl_FragColor = encodeFloat(depth * 0.5 + 0.5);
#endif
}
@end
@export clay.sm.debug_depth
uniform sampler2D depthMap;
varying vec2 v_Texcoord;
@import clay.util.decode_float
void main() {
 vec4 tex = texture2D(depthMap, v_Texcoord);
#ifdef USE_VSM
 gl_FragColor = vec4(tex.rgb, 1.0);
#else
 float depth = decodeFloat(tex);
 gl_FragColor = vec4(depth, depth, depth, 1.0);
#endif
}
@end
@export clay.sm.distance.vertex
uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform mat4 world : WORLD;
attribute vec3 position : POSITION;
@import clay.chunk.skinning_header
varying vec3 v_WorldPosition;
void main (){
 vec4 P = vec4(position, 1.0);
#ifdef SKINNING
 @import clay.chunk.skin_matrix
 P = skinMatrixWS * P;
#endif
#ifdef INSTANCING
 @import clay.chunk.instancing_matrix
 P = instanceMat * P;
#endif
 gl_Position = worldViewProjection * P;
 v_WorldPosition = (world * P).xyz;
}
@end
@export clay.sm.distance.fragment
uniform vec3 lightPosition;
uniform float range : 100;
varying vec3 v_WorldPosition;
@import clay.util.encode_float
void main(){
 float dist = distance(lightPosition, v_WorldPosition);
#ifdef USE_VSM
 gl_FragColor = vec4(dist, dist * dist, 0.0, 0.0);
#else
 dist = dist / range;
 gl_FragColor = encodeFloat(dist);
#endif
}
@end
@export clay.plugin.shadow_map_common
@import clay.util.decode_float
float tapShadowMap(sampler2D map, vec2 uv, float z){
 vec4 tex = texture2D(map, uv);
 return step(z, decodeFloat(tex) * 2.0 - 1.0);
}
float pcf(sampler2D map, vec2 uv, float z, float textureSize, vec2 scale) {
 float shadowContrib = tapShadowMap(map, uv, z);
 vec2 offset = vec2(1.0 / textureSize) * scale;
#ifdef PCF_KERNEL_SIZE
 for (int _idx_ = 0; _idx_ < PCF_KERNEL_SIZE; _idx_++) {{
 shadowContrib += tapShadowMap(map, uv + offset * pcfKernel[_idx_], z);
 }}
 return shadowContrib / float(PCF_KERNEL_SIZE + 1);
#else
 shadowContrib += tapShadowMap(map, uv+vec2(offset.x, 0.0), z);
 shadowContrib += tapShadowMap(map, uv+vec2(offset.x, offset.y), z);
 shadowContrib += tapShadowMap(map, uv+vec2(-offset.x, offset.y), z);
 shadowContrib += tapShadowMap(map, uv+vec2(0.0, offset.y), z);
 shadowContrib += tapShadowMap(map, uv+vec2(-offset.x, 0.0), z);
 shadowContrib += tapShadowMap(map, uv+vec2(-offset.x, -offset.y), z);
 shadowContrib += tapShadowMap(map, uv+vec2(offset.x, -offset.y), z);
 shadowContrib += tapShadowMap(map, uv+vec2(0.0, -offset.y), z);
 return shadowContrib / 9.0;
#endif
}
float pcf(sampler2D map, vec2 uv, float z, float textureSize) {
 return pcf(map, uv, z, textureSize, vec2(1.0));
}
float chebyshevUpperBound(vec2 moments, float z){
 float p = 0.0;
 z = z * 0.5 + 0.5;
 if (z <= moments.x) {
 p = 1.0;
 }
 float variance = moments.y - moments.x * moments.x;
 variance = max(variance, 0.0000001);
 float mD = moments.x - z;
 float pMax = variance / (variance + mD * mD);
 pMax = clamp((pMax-0.4)/(1.0-0.4), 0.0, 1.0);
 return max(p, pMax);
}
float computeShadowContrib(
 sampler2D map, mat4 lightVPM, vec3 position, float textureSize, vec2 scale, vec2 offset
) {
 vec4 posInLightSpace = lightVPM * vec4(position, 1.0);
 posInLightSpace.xyz /= posInLightSpace.w;
 float z = posInLightSpace.z;
 if(all(greaterThan(posInLightSpace.xyz, vec3(-0.99, -0.99, -1.0))) &&
 all(lessThan(posInLightSpace.xyz, vec3(0.99, 0.99, 1.0)))){
 vec2 uv = (posInLightSpace.xy+1.0) / 2.0;
 #ifdef USE_VSM
 vec2 moments = texture2D(map, uv * scale + offset).xy;
 return chebyshevUpperBound(moments, z);
 #else
 return pcf(map, uv * scale + offset, z, textureSize, scale);
 #endif
 }
 return 1.0;
}
float computeShadowContrib(sampler2D map, mat4 lightVPM, vec3 position, float textureSize) {
 return computeShadowContrib(map, lightVPM, position, textureSize, vec2(1.0), vec2(0.0));
}
float computeShadowContribOmni(samplerCube map, vec3 direction, float range)
{
 float dist = length(direction);
 vec4 shadowTex = textureCube(map, direction);
#ifdef USE_VSM
 vec2 moments = shadowTex.xy;
 float variance = moments.y - moments.x * moments.x;
 float mD = moments.x - dist;
 float p = variance / (variance + mD * mD);
 if(moments.x + 0.001 < dist){
 return clamp(p, 0.0, 1.0);
 }else{
 return 1.0;
 }
#else
 return step(dist, (decodeFloat(shadowTex) + 0.0002) * range);
#endif
}
@end
@export clay.plugin.compute_shadow_map
#if defined(SPOT_LIGHT_SHADOWMAP_COUNT) || defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT) || defined(POINT_LIGHT_SHADOWMAP_COUNT)
#ifdef SPOT_LIGHT_SHADOWMAP_COUNT
uniform sampler2D spotLightShadowMaps[SPOT_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
uniform mat4 spotLightMatrices[SPOT_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
uniform float spotLightShadowMapSizes[SPOT_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
#endif
#ifdef DIRECTIONAL_LIGHT_SHADOWMAP_COUNT
#if defined(SHADOW_CASCADE)
uniform sampler2D directionalLightShadowMaps[1]:unconfigurable;
uniform mat4 directionalLightMatrices[SHADOW_CASCADE]:unconfigurable;
uniform float directionalLightShadowMapSizes[1]:unconfigurable;
uniform float shadowCascadeClipsNear[SHADOW_CASCADE]:unconfigurable;
uniform float shadowCascadeClipsFar[SHADOW_CASCADE]:unconfigurable;
#else
uniform sampler2D directionalLightShadowMaps[DIRECTIONAL_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
uniform mat4 directionalLightMatrices[DIRECTIONAL_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
uniform float directionalLightShadowMapSizes[DIRECTIONAL_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
#endif
#endif
#ifdef POINT_LIGHT_SHADOWMAP_COUNT
uniform samplerCube pointLightShadowMaps[POINT_LIGHT_SHADOWMAP_COUNT]:unconfigurable;
#endif
uniform bool shadowEnabled : true;
#ifdef PCF_KERNEL_SIZE
uniform vec2 pcfKernel[PCF_KERNEL_SIZE];
#endif
@import clay.plugin.shadow_map_common
#if defined(SPOT_LIGHT_SHADOWMAP_COUNT)
void computeShadowOfSpotLights(vec3 position, inout float shadowContribs[SPOT_LIGHT_COUNT] ) {
 float shadowContrib;
 for(int _idx_ = 0; _idx_ < SPOT_LIGHT_SHADOWMAP_COUNT; _idx_++) {{
 shadowContrib = computeShadowContrib(
 spotLightShadowMaps[_idx_], spotLightMatrices[_idx_], position,
 spotLightShadowMapSizes[_idx_]
 );
 shadowContribs[_idx_] = shadowContrib;
 }}
 for(int _idx_ = SPOT_LIGHT_SHADOWMAP_COUNT; _idx_ < SPOT_LIGHT_COUNT; _idx_++){{
 shadowContribs[_idx_] = 1.0;
 }}
}
#endif
#if defined(DIRECTIONAL_LIGHT_SHADOWMAP_COUNT)
#ifdef SHADOW_CASCADE
void computeShadowOfDirectionalLights(vec3 position, inout float shadowContribs[DIRECTIONAL_LIGHT_COUNT]){
 float depth = (2.0 * gl_FragCoord.z - gl_DepthRange.near - gl_DepthRange.far)
 / (gl_DepthRange.far - gl_DepthRange.near);
 float shadowContrib;
 shadowContribs[0] = 1.0;
 for (int _idx_ = 0; _idx_ < SHADOW_CASCADE; _idx_++) {{
 if (
 depth >= shadowCascadeClipsNear[_idx_] &&
 depth <= shadowCascadeClipsFar[_idx_]
 ) {
 shadowContrib = computeShadowContrib(
 directionalLightShadowMaps[0], directionalLightMatrices[_idx_], position,
 directionalLightShadowMapSizes[0],
 vec2(1.0 / float(SHADOW_CASCADE), 1.0),
 vec2(float(_idx_) / float(SHADOW_CASCADE), 0.0)
 );
 shadowContribs[0] = shadowContrib;
 }
 }}
 for(int _idx_ = DIRECTIONAL_LIGHT_SHADOWMAP_COUNT; _idx_ < DIRECTIONAL_LIGHT_COUNT; _idx_++) {{
 shadowContribs[_idx_] = 1.0;
 }}
}
#else
void computeShadowOfDirectionalLights(vec3 position, inout float shadowContribs[DIRECTIONAL_LIGHT_COUNT]){
 float shadowContrib;
 for(int _idx_ = 0; _idx_ < DIRECTIONAL_LIGHT_SHADOWMAP_COUNT; _idx_++) {{
 shadowContrib = computeShadowContrib(
 directionalLightShadowMaps[_idx_], directionalLightMatrices[_idx_], position,
 directionalLightShadowMapSizes[_idx_]
 );
 shadowContribs[_idx_] = shadowContrib;
 }}
 for(int _idx_ = DIRECTIONAL_LIGHT_SHADOWMAP_COUNT; _idx_ < DIRECTIONAL_LIGHT_COUNT; _idx_++) {{
 shadowContribs[_idx_] = 1.0;
 }}
}
#endif
#endif
#if defined(POINT_LIGHT_SHADOWMAP_COUNT)
void computeShadowOfPointLights(vec3 position, inout float shadowContribs[POINT_LIGHT_COUNT] ){
 vec3 lightPosition;
 vec3 direction;
 for(int _idx_ = 0; _idx_ < POINT_LIGHT_SHADOWMAP_COUNT; _idx_++) {{
 lightPosition = pointLightPosition[_idx_];
 direction = position - lightPosition;
 shadowContribs[_idx_] = computeShadowContribOmni(pointLightShadowMaps[_idx_], direction, pointLightRange[_idx_]);
 }}
 for(int _idx_ = POINT_LIGHT_SHADOWMAP_COUNT; _idx_ < POINT_LIGHT_COUNT; _idx_++) {{
 shadowContribs[_idx_] = 1.0;
 }}
}
#endif
#endif
@end`;var Vt=["px","nx","py","ny","pz","nz"];N.import(sf);function sa(e,t,r){if(r==="alphaMap")return e.material.get("diffuseMap");if(r==="alphaCutoff"){if(e.material.isDefined("fragment","ALPHA_TEST")&&e.material.get("diffuseMap")){var i=e.material.get("alphaCutoff");return i||0}return 0}else return r==="uvRepeat"?e.material.get("uvRepeat"):r==="uvOffset"?e.material.get("uvOffset"):t.get(r)}function ff(e,t){var r=e.material,i=t.material;return r.get("diffuseMap")!==i.get("diffuseMap")||(r.get("alphaCutoff")||0)!==(i.get("alphaCutoff")||0)}var Tt=le.extend(function(){return{softShadow:Tt.PCF,shadowBlur:1,lightFrustumBias:"auto",kernelPCF:new Float32Array([1,0,1,1,-1,1,0,1,-1,0,-1,-1,1,-1,0,-1]),precision:"highp",_lastRenderNotCastShadow:!1,_frameBuffer:new ue,_textures:{},_shadowMapNumber:{POINT_LIGHT:0,DIRECTIONAL_LIGHT:0,SPOT_LIGHT:0},_depthMaterials:{},_distanceMaterials:{},_receivers:[],_lightsCastShadow:[],_lightCameras:{},_lightMaterials:{},_texturePool:new Vi}},function(){this._gaussianPassH=new Ae({fragment:N.source("clay.compositor.gaussian_blur")}),this._gaussianPassV=new Ae({fragment:N.source("clay.compositor.gaussian_blur")}),this._gaussianPassH.setUniform("blurSize",this.shadowBlur),this._gaussianPassH.setUniform("blurDir",0),this._gaussianPassV.setUniform("blurSize",this.shadowBlur),this._gaussianPassV.setUniform("blurDir",1),this._outputDepthPass=new Ae({fragment:N.source("clay.sm.debug_depth")})},{render:function(e,t,r,i){r||(r=t.getMainCamera()),this.trigger("beforerender",this,e,t,r),this._renderShadowPass(e,t,r,i),this.trigger("afterrender",this,e,t,r)},renderDebug:function(e,t){e.saveClear();var r=e.viewport,i=0,n=0,a=t||r.width/4,o=a;this.softShadow===Tt.VSM?this._outputDepthPass.material.define("fragment","USE_VSM"):this._outputDepthPass.material.undefine("fragment","USE_VSM");for(var s in this._textures){var f=this._textures[s];e.setViewport(i,n,a*f.width/f.height,o),this._outputDepthPass.setUniform("depthMap",f),this._outputDepthPass.render(e),i+=a*f.width/f.height}e.setViewport(r),e.restoreClear()},_updateReceivers:function(e,t){if(t.receiveShadow?(this._receivers.push(t),t.material.set("shadowEnabled",1),t.material.set("pcfKernel",this.kernelPCF)):t.material.set("shadowEnabled",0),this.softShadow===Tt.VSM)t.material.define("fragment","USE_VSM"),t.material.undefine("fragment","PCF_KERNEL_SIZE");else{t.material.undefine("fragment","USE_VSM");var r=this.kernelPCF;r&&r.length?t.material.define("fragment","PCF_KERNEL_SIZE",r.length/2):t.material.undefine("fragment","PCF_KERNEL_SIZE")}},_update:function(e,t){var r=this;t.traverse(function(a){a.isRenderable()&&r._updateReceivers(e,a)});for(var i=0;i<t.lights.length;i++){var n=t.lights[i];n.castShadow&&!n.invisible&&this._lightsCastShadow.push(n)}},_renderShadowPass:function(e,t,r,i){for(var n in this._shadowMapNumber)this._shadowMapNumber[n]=0;this._lightsCastShadow.length=0,this._receivers.length=0;var a=e.gl;if(i||t.update(),r&&r.update(),t.updateLights(),this._update(e,t),!this._lightsCastShadow.length&&this._lastRenderNotCastShadow)return;this._lastRenderNotCastShadow=this._lightsCastShadow===0,a.enable(a.DEPTH_TEST),a.depthMask(!0),a.disable(a.BLEND),a.clearColor(1,1,1,1);for(var o=[],s=[],f=[],l=[],u=[],c=[],d,h=0;h<this._lightsCastShadow.length;h++){var m=this._lightsCastShadow[h];if(m.type==="DIRECTIONAL_LIGHT"){if(d){console.warn("Only one direectional light supported with shadow cascade");continue}if(m.shadowCascade>4){console.warn("Support at most 4 cascade");continue}m.shadowCascade>1&&(d=m),this.renderDirectionalLightShadow(e,t,r,m,u,l,f)}else m.type==="SPOT_LIGHT"?this.renderSpotLightShadow(e,t,m,s,o):m.type==="POINT_LIGHT"&&this.renderPointLightShadow(e,t,m,c);this._shadowMapNumber[m.type]++}for(var p in this._shadowMapNumber)for(var v=this._shadowMapNumber[p],_=p+"_SHADOWMAP_COUNT",h=0;h<this._receivers.length;h++){var x=this._receivers[h],T=x.material;T.fragmentDefines[_]!==v&&(v>0?T.define("fragment",_,v):T.isDefined("fragment",_)&&T.undefine("fragment",_))}for(var h=0;h<this._receivers.length;h++){var x=this._receivers[h],T=x.material;d?T.define("fragment","SHADOW_CASCADE",d.shadowCascade):T.undefine("fragment","SHADOW_CASCADE")}var g=t.shadowUniforms;function E(W){return W.height}if(f.length>0){var A=f.map(E);if(g.directionalLightShadowMaps={value:f,type:"tv"},g.directionalLightMatrices={value:l,type:"m4v"},g.directionalLightShadowMapSizes={value:A,type:"1fv"},d){var R=u.slice(),w=u.slice();R.pop(),w.shift(),R.reverse(),w.reverse(),l.reverse(),g.shadowCascadeClipsNear={value:R,type:"1fv"},g.shadowCascadeClipsFar={value:w,type:"1fv"}}}if(o.length>0){var D=o.map(E),g=t.shadowUniforms;g.spotLightShadowMaps={value:o,type:"tv"},g.spotLightMatrices={value:s,type:"m4v"},g.spotLightShadowMapSizes={value:D,type:"1fv"}}c.length>0&&(g.pointLightShadowMaps={value:c,type:"tv"})},renderDirectionalLightShadow:(function(){var e=new Er,t=new O,r=new xe,i=new O,n=new O,a=new O,o=new O;return function(s,f,l,u,c,d,h){var m=this._getDepthMaterial(u),p={getMaterial:function(Ye){return Ye.shadowDepthMaterial||m},isMaterialChanged:ff,getUniform:sa,ifRender:function(Ye){return Ye.castShadow},sortCompare:Ht.opaqueSortCompare};if(!f.viewBoundingBoxLastFrame.isFinite()){var v=f.getBoundingBox();f.viewBoundingBoxLastFrame.copy(v).applyTransform(l.viewMatrix)}var _=Math.min(-f.viewBoundingBoxLastFrame.min.z,l.far),x=Math.max(-f.viewBoundingBoxLastFrame.max.z,l.near),T=this._getDirectionalLightCamera(u,f,l),g=a.array;o.copy(T.projectionMatrix),L.invert(n.array,T.worldTransform.array),L.multiply(n.array,n.array,l.worldTransform.array),L.multiply(g,o.array,n.array);for(var E=[],A=l instanceof Ee,R=(l.near+l.far)/(l.near-l.far),w=2*l.near*l.far/(l.near-l.far),D=0;D<=u.shadowCascade;D++){var W=x*Math.pow(_/x,D/u.shadowCascade),P=x+(_-x)*D/u.shadowCascade,H=W*u.cascadeSplitLogFactor+P*(1-u.cascadeSplitLogFactor);E.push(H),c.push(-(-H*R+w)/-H)}var F=this._getTexture(u,u.shadowCascade);h.push(F);var B=s.viewport,z=s.gl;this._frameBuffer.attach(F),this._frameBuffer.bind(s),z.clear(z.COLOR_BUFFER_BIT|z.DEPTH_BUFFER_BIT);for(var D=0;D<u.shadowCascade;D++){var Y=E[D],ie=E[D+1];A?L.perspective(t.array,l.fov/180*Math.PI,l.aspect,Y,ie):L.ortho(t.array,l.left,l.right,l.bottom,l.top,Y,ie),e.setFromProjection(t),e.getTransformedBoundingBox(r,n),r.applyProjection(o);var Fe=r.min.array,Ue=r.max.array;Fe[0]=Math.max(Fe[0],-1),Fe[1]=Math.max(Fe[1],-1),Ue[0]=Math.min(Ue[0],1),Ue[1]=Math.min(Ue[1],1),i.ortho(Fe[0],Ue[0],Fe[1],Ue[1],1,-1),T.projectionMatrix.multiplyLeft(i);var Ke=u.shadowResolution||512;s.setViewport((u.shadowCascade-D-1)*Ke,0,Ke,Ke,1);var rt=f.updateRenderList(T);s.renderPass(rt.opaque,T,p),this.softShadow===Tt.VSM&&this._gaussianFilter(s,F,F.width);var je=new O;je.copy(T.viewMatrix).multiplyLeft(T.projectionMatrix),d.push(je.array),T.projectionMatrix.copy(o)}this._frameBuffer.unbind(s),s.setViewport(B)}})(),renderSpotLightShadow:function(e,t,r,i,n){var a=this._getTexture(r),o=this._getSpotLightCamera(r),s=e.gl;this._frameBuffer.attach(a),this._frameBuffer.bind(e),s.clear(s.COLOR_BUFFER_BIT|s.DEPTH_BUFFER_BIT);var f=this._getDepthMaterial(r),l={getMaterial:function(d){return d.shadowDepthMaterial||f},isMaterialChanged:ff,getUniform:sa,ifRender:function(d){return d.castShadow},sortCompare:Ht.opaqueSortCompare},u=t.updateRenderList(o);e.renderPass(u.opaque,o,l),this._frameBuffer.unbind(e),this.softShadow===Tt.VSM&&this._gaussianFilter(e,a,a.width);var c=new O;c.copy(o.worldTransform).invert().multiplyLeft(o.projectionMatrix),n.push(a),i.push(c.array)},renderPointLightShadow:function(e,t,r,i){var n=this._getTexture(r),a=e.gl;i.push(n);var o=this._getDepthMaterial(r),s={getMaterial:function(x){return x.shadowDepthMaterial||o},getUniform:sa,sortCompare:Ht.opaqueSortCompare},f={px:[],py:[],pz:[],nx:[],ny:[],nz:[]},l=new xe,u=r.getWorldPosition().array,c=new xe,d=r.range;c.min.setArray(u),c.max.setArray(u);var h=new C(d,d,d);c.max.add(h),c.min.sub(h);var m={px:!1,py:!1,pz:!1,nx:!1,ny:!1,nz:!1};t.traverse(function(x){if(x.isRenderable()&&x.castShadow){var T=x.geometry;if(!T.boundingBox){for(var g=0;g<Vt.length;g++)f[Vt[g]].push(x);return}if(l.transformFrom(T.boundingBox,x.worldTransform),!l.intersectBoundingBox(c))return;l.updateVertices();for(var g=0;g<Vt.length;g++)m[Vt[g]]=!1;for(var g=0;g<8;g++){var E=l.vertices[g],A=E[0]-u[0],R=E[1]-u[1],w=E[2]-u[2],D=Math.abs(A),W=Math.abs(R),P=Math.abs(w);D>W?D>P?m[A>0?"px":"nx"]=!0:m[w>0?"pz":"nz"]=!0:W>P?m[R>0?"py":"ny"]=!0:m[w>0?"pz":"nz"]=!0}for(var g=0;g<Vt.length;g++)m[Vt[g]]&&f[Vt[g]].push(x)}});for(var p=0;p<6;p++){var v=Vt[p],_=this._getPointLightCamera(r,v);this._frameBuffer.attach(n,a.COLOR_ATTACHMENT0,a.TEXTURE_CUBE_MAP_POSITIVE_X+p),this._frameBuffer.bind(e),a.clear(a.COLOR_BUFFER_BIT|a.DEPTH_BUFFER_BIT),e.renderPass(f[v],_,s)}this._frameBuffer.unbind(e)},_getDepthMaterial:function(e){var t=this._lightMaterials[e.__uid__],r=e.type==="POINT_LIGHT";if(!t){var i=r?"clay.sm.distance.":"clay.sm.depth.";t=new He({precision:this.precision,shader:new N(N.source(i+"vertex"),N.source(i+"fragment"))}),this._lightMaterials[e.__uid__]=t}return e.shadowSlopeScale!=null&&t.setUniform("slopeScale",e.shadowSlopeScale),e.shadowBias!=null&&t.setUniform("bias",e.shadowBias),this.softShadow===Tt.VSM?t.define("fragment","USE_VSM"):t.undefine("fragment","USE_VSM"),r&&(t.set("lightPosition",e.getWorldPosition().array),t.set("range",e.range)),t},_gaussianFilter:function(e,t,r){var i={width:r,height:r,type:I.FLOAT},n=this._texturePool.get(i);this._frameBuffer.attach(n),this._frameBuffer.bind(e),this._gaussianPassH.setUniform("texture",t),this._gaussianPassH.setUniform("textureWidth",r),this._gaussianPassH.render(e),this._frameBuffer.attach(t),this._gaussianPassV.setUniform("texture",n),this._gaussianPassV.setUniform("textureHeight",r),this._gaussianPassV.render(e),this._frameBuffer.unbind(e),this._texturePool.put(n)},_getTexture:function(e,t){var r=e.__uid__,i=this._textures[r],n=e.shadowResolution||512;return t=t||1,i||(e.type==="POINT_LIGHT"?i=new bt:i=new X,i.width=n*t,i.height=n,this.softShadow===Tt.VSM?(i.type=I.FLOAT,i.anisotropic=4):(i.minFilter=S.NEAREST,i.magFilter=S.NEAREST,i.useMipmap=!1),this._textures[r]=i),i},_getPointLightCamera:function(e,t){this._lightCameras.point||(this._lightCameras.point={px:new Ee,nx:new Ee,py:new Ee,ny:new Ee,pz:new Ee,nz:new Ee});var r=this._lightCameras.point[t];switch(r.far=e.range,r.fov=90,r.position.set(0,0,0),t){case"px":r.lookAt(C.POSITIVE_X,C.NEGATIVE_Y);break;case"nx":r.lookAt(C.NEGATIVE_X,C.NEGATIVE_Y);break;case"py":r.lookAt(C.POSITIVE_Y,C.POSITIVE_Z);break;case"ny":r.lookAt(C.NEGATIVE_Y,C.NEGATIVE_Z);break;case"pz":r.lookAt(C.POSITIVE_Z,C.NEGATIVE_Y);break;case"nz":r.lookAt(C.NEGATIVE_Z,C.NEGATIVE_Y);break}return e.getWorldPosition(r.position),r.update(),r},_getDirectionalLightCamera:(function(){var e=new O,t=new xe,r=new xe;return function(i,n,a){this._lightCameras.directional||(this._lightCameras.directional=new Lt);var o=this._lightCameras.directional;t.copy(n.viewBoundingBoxLastFrame),t.intersection(a.frustum.boundingBox),o.position.copy(t.min).add(t.max).scale(.5).transformMat4(a.worldTransform),o.rotation.copy(i.rotation),o.scale.copy(i.scale),o.updateWorldTransform(),O.invert(e,o.worldTransform),O.multiply(e,e,a.worldTransform),r.copy(t).applyTransform(e);var s=r.min.array,f=r.max.array;return o.position.set((s[0]+f[0])/2,(s[1]+f[1])/2,f[2]).transformMat4(o.worldTransform),o.near=0,o.far=-s[2]+f[2],isNaN(this.lightFrustumBias)?o.far*=4:o.far+=this.lightFrustumBias,o.left=s[0],o.right=f[0],o.top=f[1],o.bottom=s[1],o.update(!0),o}})(),_getSpotLightCamera:function(e){this._lightCameras.spot||(this._lightCameras.spot=new Ee);var t=this._lightCameras.spot;return t.fov=e.penumbraAngle*2,t.far=e.range,t.worldTransform.copy(e.worldTransform),t.updateProjectionMatrix(),L.invert(t.viewMatrix.array,t.worldTransform.array),t},dispose:function(e){var t=e.gl||e;this._frameBuffer&&this._frameBuffer.dispose(t);for(var r in this._textures)this._textures[r].dispose(t);this._texturePool.clear(e.gl),this._depthMaterials={},this._distanceMaterials={},this._textures={},this._lightCameras={},this._shadowMapNumber={POINT_LIGHT:0,DIRECTIONAL_LIGHT:0,SPOT_LIGHT:0},this._meshMaterials={};for(var i=0;i<this._receivers.length;i++){var n=this._receivers[i];if(n.material){var a=n.material;a.undefine("fragment","POINT_LIGHT_SHADOW_COUNT"),a.undefine("fragment","DIRECTIONAL_LIGHT_SHADOW_COUNT"),a.undefine("fragment","AMBIENT_LIGHT_SHADOW_COUNT"),a.set("shadowEnabled",0)}}this._receivers=[],this._lightsCastShadow=[]}});Tt.VSM=1;Tt.PCF=2;var lf=Tt;var uf={width:0,height:1,dpr:2};function fa(e){let t=String(e).trim();if(t.startsWith("[")&&t.endsWith("]")){let o=t.slice(1,-1).split(",").map(fa);return(s,f,l)=>o.map(u=>u(s,f,l))}let r=t.split(/\s*([*/])\s*/),i=o=>{if(o in uf)return s=>s[uf[o]];if(/^\d+(\.\d+)?$/.test(o)){let s=Number(o);return()=>s}throw new Error("Invalid expression.")},n=i(r[0]),a=[];for(let o=1;o<r.length;o+=2){if(r[o]!=="*"&&r[o]!=="/")throw new Error("Invalid expression.");a.push([r[o],i(r[o+1])])}return(o,s,f)=>{let l=[o,s,f],u=n(l);for(let[c,d]of a)u=c==="*"?u*d(l):u/d(l);return u}}var Ch=le.extend(function(){return{name:"",inputLinks:{},outputLinks:{},_prevOutputTextures:{},_outputTextures:{},_outputReferences:{},_rendering:!1,_rendered:!1,_compositor:null}},{updateParameter:function(e,t){var r=this.outputs[e],i=r.parameters,n=r._parametersCopy;if(n||(n=r._parametersCopy={}),i)for(var a in i)a!=="width"&&a!=="height"&&(n[a]=i[a]);var o,s;return i.width instanceof Function?o=i.width.call(this,t):o=i.width,i.height instanceof Function?s=i.height.call(this,t):s=i.height,(n.width!==o||n.height!==s)&&this._outputTextures[e]&&this._outputTextures[e].dispose(t.gl),n.width=o,n.height=s,n},setParameter:function(e,t){},getParameter:function(e){},setParameters:function(e){for(var t in e)this.setParameter(t,e[t])},render:function(){},getOutput:function(e,t){if(t==null)return t=e,this._outputTextures[t];var r=this.outputs[t];if(r)return this._rendered?r.outputLastFrame?this._prevOutputTextures[t]:this._outputTextures[t]:this._rendering?(this._prevOutputTextures[t]||(this._prevOutputTextures[t]=this._compositor.allocateTexture(r.parameters||{})),this._prevOutputTextures[t]):(this.render(e),this._outputTextures[t])},removeReference:function(e){if(this._outputReferences[e]--,this._outputReferences[e]===0){var t=this.outputs[e];t.keepLastFrame?(this._prevOutputTextures[e]&&this._compositor.releaseTexture(this._prevOutputTextures[e]),this._prevOutputTextures[e]=this._outputTextures[e]):this._compositor.releaseTexture(this._outputTextures[e])}},link:function(e,t,r){this.inputLinks[e]={node:t,pin:r},t.outputLinks[r]||(t.outputLinks[r]=[]),t.outputLinks[r].push({node:this,pin:e}),this.pass.material.enableTexture(e)},clear:function(){this.inputLinks={},this.outputLinks={}},updateReference:function(e){if(!this._rendering){this._rendering=!0;for(var t in this.inputLinks){var r=this.inputLinks[t];r.node.updateReference(r.pin)}this._rendering=!1}e&&this._outputReferences[e]++},beforeFrame:function(){this._rendered=!1;for(var e in this.outputLinks)this._outputReferences[e]=0},afterFrame:function(){for(var e in this.outputLinks)if(this._outputReferences[e]>0){var t=this.outputs[e];t.keepLastFrame?(this._prevOutputTextures[e]&&this._compositor.releaseTexture(this._prevOutputTextures[e]),this._prevOutputTextures[e]=this._outputTextures[e]):this._compositor.releaseTexture(this._outputTextures[e])}}}),Dt=Ch;var Lh=le.extend(function(){return{nodes:[]}},{dirty:function(){this._dirty=!0},addNode:function(e){this.nodes.indexOf(e)>=0||(this.nodes.push(e),this._dirty=!0)},removeNode:function(e){typeof e=="string"&&(e=this.getNodeByName(e));var t=this.nodes.indexOf(e);t>=0&&(this.nodes.splice(t,1),this._dirty=!0)},getNodeByName:function(e){for(var t=0;t<this.nodes.length;t++)if(this.nodes[t].name===e)return this.nodes[t]},update:function(){for(var e=0;e<this.nodes.length;e++)this.nodes[e].clear();for(var e=0;e<this.nodes.length;e++){var t=this.nodes[e];if(t.inputs){for(var r in t.inputs)if(t.inputs[r]){if(t.pass&&!t.pass.material.isUniformEnabled(r)){console.warn("Pin "+t.name+"."+r+" not used.");continue}var i=t.inputs[r],n=this.findPin(i);n?t.link(r,n.node,n.pin):console.warn(typeof i=="string"?"Node "+i+" not exist":"Pin of "+i.node+"."+i.pin+" not exist")}}}},findPin:function(e){var t;if((typeof e=="string"||e instanceof Dt)&&(e={node:e}),typeof e.node=="string")for(var r=0;r<this.nodes.length;r++){var i=this.nodes[r];i.name===e.node&&(t=i)}else t=e.node;if(t){var n=e.pin;if(n||t.outputs&&(n=Object.keys(t.outputs)[0]),t.outputs[n])return{node:t,pin:n}}}}),la=Lh;var Rh=la.extend(function(){return{_outputs:[],_texturePool:new Vi,_frameBuffer:new ue({depthBuffer:!1})}},{addNode:function(e){la.prototype.addNode.call(this,e),e._compositor=this},render:function(e,t){if(this._dirty){this.update(),this._dirty=!1,this._outputs.length=0;for(var r=0;r<this.nodes.length;r++)this.nodes[r].outputs||this._outputs.push(this.nodes[r])}for(var r=0;r<this.nodes.length;r++)this.nodes[r].beforeFrame();for(var r=0;r<this._outputs.length;r++)this._outputs[r].updateReference();for(var r=0;r<this._outputs.length;r++)this._outputs[r].render(e,t);for(var r=0;r<this.nodes.length;r++)this.nodes[r].afterFrame()},allocateTexture:function(e){return this._texturePool.get(e)},releaseTexture:function(e){this._texturePool.put(e)},getFrameBuffer:function(){return this._frameBuffer},dispose:function(e){this._texturePool.clear(e)}}),cf=Rh;var Dh=Dt.extend({name:"scene",scene:null,camera:null,autoUpdateScene:!0,preZ:!1},function(){this.frameBuffer=new ue},{render:function(e){this._rendering=!0;var t=e.gl;this.trigger("beforerender");var r;if(!this.outputs)r=e.render(this.scene,this.camera,!this.autoUpdateScene,this.preZ);else{var i=this.frameBuffer;for(var n in this.outputs){var a=this.updateParameter(n,e),o=this.outputs[n],s=this._compositor.allocateTexture(a);this._outputTextures[n]=s;var f=o.attachment||t.COLOR_ATTACHMENT0;typeof f=="string"&&(f=t[f]),i.attach(s,f)}i.bind(e);var l=e.getGLExtension("EXT_draw_buffers");if(l){var u=[];for(var f in this.outputs)f=parseInt(f),f>=t.COLOR_ATTACHMENT0&&f<=t.COLOR_ATTACHMENT0+8&&u.push(f);l.drawBuffersEXT(u)}e.saveClear(),e.clearBit=S.DEPTH_BUFFER_BIT|S.COLOR_BUFFER_BIT,r=e.render(this.scene,this.camera,!this.autoUpdateScene,this.preZ),e.restoreClear(),i.unbind(e)}this.trigger("afterrender",r),this._rendering=!1,this._rendered=!0}}),hf=Dh;var Mh=Dt.extend(function(){return{texture:null,outputs:{color:{}}}},function(){},{getOutput:function(e,t){return this.texture},beforeFrame:function(){},afterFrame:function(){}}),df=Mh;var Nh=Dt.extend(function(){return{name:"",inputs:{},outputs:null,shader:"",inputLinks:{},outputLinks:{},pass:null,_prevOutputTextures:{},_outputTextures:{},_outputReferences:{},_rendering:!1,_rendered:!1,_compositor:null}},function(){var e=new Ae({fragment:this.shader});this.pass=e},{render:function(e,t){this.trigger("beforerender",e),this._rendering=!0;var r=e.gl;for(var i in this.inputLinks){var n=this.inputLinks[i],a=n.node.getOutput(e,n.pin);this.pass.setUniform(i,a)}if(!this.outputs)this.pass.outputs=null,this._compositor.getFrameBuffer().unbind(e),this.pass.render(e,t);else{this.pass.outputs={};var o={};for(var s in this.outputs){var f=this.updateParameter(s,e);isNaN(f.width)&&this.updateParameter(s,e);var l=this.outputs[s],u=this._compositor.allocateTexture(f);this._outputTextures[s]=u;var c=l.attachment||r.COLOR_ATTACHMENT0;typeof c=="string"&&(c=r[c]),o[c]=u}this._compositor.getFrameBuffer().bind(e);for(var c in o)this._compositor.getFrameBuffer().attach(o[c],c);this.pass.render(e),this._compositor.getFrameBuffer().updateMipmap(e)}for(var i in this.inputLinks){var n=this.inputLinks[i];n.node.removeReference(n.pin)}this._rendering=!1,this._rendered=!0,this.trigger("afterrender",e)},updateParameter:function(e,t){var r=this.outputs[e],i=r.parameters,n=r._parametersCopy;if(n||(n=r._parametersCopy={}),i)for(var a in i)a!=="width"&&a!=="height"&&(n[a]=i[a]);var o,s;return typeof i.width=="function"?o=i.width.call(this,t):o=i.width,typeof i.height=="function"?s=i.height.call(this,t):s=i.height,o=Math.ceil(o),s=Math.ceil(s),(n.width!==o||n.height!==s)&&this._outputTextures[e]&&this._outputTextures[e].dispose(t),n.width=o,n.height=s,n},setParameter:function(e,t){this.pass.setUniform(e,t)},getParameter:function(e){return this.pass.getUniform(e)},setParameters:function(e){for(var t in e)this.setParameter(t,e[t])},define:function(e,t){this.pass.material.define("fragment",e,t)},undefine:function(e){this.pass.material.undefine("fragment",e)},removeReference:function(e){if(this._outputReferences[e]--,this._outputReferences[e]===0){var t=this.outputs[e];t.keepLastFrame?(this._prevOutputTextures[e]&&this._compositor.releaseTexture(this._prevOutputTextures[e]),this._prevOutputTextures[e]=this._outputTextures[e]):this._compositor.releaseTexture(this._outputTextures[e])}},clear:function(){Dt.prototype.clear.call(this),this.pass.material.disableTexturesAll()}}),mf=Nh;var pf=`@export clay.compositor.coloradjust
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float brightness : 0.0;
uniform float contrast : 1.0;
uniform float exposure : 0.0;
uniform float gamma : 1.0;
uniform float saturation : 1.0;
const vec3 w = vec3(0.2125, 0.7154, 0.0721);
void main()
{
 vec4 tex = texture2D( texture, v_Texcoord);
 vec3 color = clamp(tex.rgb + vec3(brightness), 0.0, 1.0);
 color = clamp( (color-vec3(0.5))*contrast+vec3(0.5), 0.0, 1.0);
 color = clamp( color * pow(2.0, exposure), 0.0, 1.0);
 color = clamp( pow(color, vec3(gamma)), 0.0, 1.0);
 float luminance = dot( color, w );
 color = mix(vec3(luminance), color, saturation);
 gl_FragColor = vec4(color, tex.a);
}
@end
@export clay.compositor.brightness
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float brightness : 0.0;
void main()
{
 vec4 tex = texture2D( texture, v_Texcoord);
 vec3 color = tex.rgb + vec3(brightness);
 gl_FragColor = vec4(color, tex.a);
}
@end
@export clay.compositor.contrast
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float contrast : 1.0;
void main()
{
 vec4 tex = texture2D( texture, v_Texcoord);
 vec3 color = (tex.rgb-vec3(0.5))*contrast+vec3(0.5);
 gl_FragColor = vec4(color, tex.a);
}
@end
@export clay.compositor.exposure
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float exposure : 0.0;
void main()
{
 vec4 tex = texture2D(texture, v_Texcoord);
 vec3 color = tex.rgb * pow(2.0, exposure);
 gl_FragColor = vec4(color, tex.a);
}
@end
@export clay.compositor.gamma
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float gamma : 1.0;
void main()
{
 vec4 tex = texture2D(texture, v_Texcoord);
 vec3 color = pow(tex.rgb, vec3(gamma));
 gl_FragColor = vec4(color, tex.a);
}
@end
@export clay.compositor.saturation
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float saturation : 1.0;
const vec3 w = vec3(0.2125, 0.7154, 0.0721);
void main()
{
 vec4 tex = texture2D(texture, v_Texcoord);
 vec3 color = tex.rgb;
 float luminance = dot(color, w);
 color = mix(vec3(luminance), color, saturation);
 gl_FragColor = vec4(color, tex.a);
}
@end`;var ki=`@export clay.compositor.kernel.gaussian_9
float gaussianKernel[9];
gaussianKernel[0] = 0.07;
gaussianKernel[1] = 0.09;
gaussianKernel[2] = 0.12;
gaussianKernel[3] = 0.14;
gaussianKernel[4] = 0.16;
gaussianKernel[5] = 0.14;
gaussianKernel[6] = 0.12;
gaussianKernel[7] = 0.09;
gaussianKernel[8] = 0.07;
@end
@export clay.compositor.kernel.gaussian_13
float gaussianKernel[13];
gaussianKernel[0] = 0.02;
gaussianKernel[1] = 0.03;
gaussianKernel[2] = 0.06;
gaussianKernel[3] = 0.08;
gaussianKernel[4] = 0.11;
gaussianKernel[5] = 0.13;
gaussianKernel[6] = 0.14;
gaussianKernel[7] = 0.13;
gaussianKernel[8] = 0.11;
gaussianKernel[9] = 0.08;
gaussianKernel[10] = 0.06;
gaussianKernel[11] = 0.03;
gaussianKernel[12] = 0.02;
@end
@export clay.compositor.gaussian_blur
#define SHADER_NAME gaussian_blur
uniform sampler2D texture;varying vec2 v_Texcoord;
uniform float blurSize : 2.0;
uniform vec2 textureSize : [512.0, 512.0];
uniform float blurDir : 0.0;
@import clay.util.rgbm
@import clay.util.clamp_sample
void main (void)
{
 @import clay.compositor.kernel.gaussian_9
 vec2 off = blurSize / textureSize;
 off *= vec2(1.0 - blurDir, blurDir);
 vec4 sum = vec4(0.0);
 float weightAll = 0.0;
 for (int i = 0; i < 9; i++) {
 float w = gaussianKernel[i];
 vec4 texel = decodeHDR(clampSample(texture, v_Texcoord + float(i - 4) * off));
 sum += texel * w;
 weightAll += w;
 }
 gl_FragColor = encodeHDR(sum / max(weightAll, 0.01));
}
@end
`;var vf=`@export clay.compositor.hdr.log_lum
varying vec2 v_Texcoord;
uniform sampler2D texture;
const vec3 w = vec3(0.2125, 0.7154, 0.0721);
@import clay.util.rgbm
void main()
{
 vec4 tex = decodeHDR(texture2D(texture, v_Texcoord));
 float luminance = dot(tex.rgb, w);
 luminance = log(luminance + 0.001);
 gl_FragColor = encodeHDR(vec4(vec3(luminance), 1.0));
}
@end
@export clay.compositor.hdr.lum_adaption
varying vec2 v_Texcoord;
uniform sampler2D adaptedLum;
uniform sampler2D currentLum;
uniform float frameTime : 0.02;
@import clay.util.rgbm
void main()
{
 float fAdaptedLum = decodeHDR(texture2D(adaptedLum, vec2(0.5, 0.5))).r;
 float fCurrentLum = exp(encodeHDR(texture2D(currentLum, vec2(0.5, 0.5))).r);
 fAdaptedLum += (fCurrentLum - fAdaptedLum) * (1.0 - pow(0.98, 30.0 * frameTime));
 gl_FragColor = encodeHDR(vec4(vec3(fAdaptedLum), 1.0));
}
@end
@export clay.compositor.lum
varying vec2 v_Texcoord;
uniform sampler2D texture;
const vec3 w = vec3(0.2125, 0.7154, 0.0721);
void main()
{
 vec4 tex = texture2D( texture, v_Texcoord );
 float luminance = dot(tex.rgb, w);
 gl_FragColor = vec4(vec3(luminance), 1.0);
}
@end`;var Wi=`
@export clay.compositor.lut
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform sampler2D lookup;
void main()
{
 vec4 tex = texture2D(texture, v_Texcoord);
 float blueColor = tex.b * 63.0;
 vec2 quad1;
 quad1.y = floor(floor(blueColor) / 8.0);
 quad1.x = floor(blueColor) - (quad1.y * 8.0);
 vec2 quad2;
 quad2.y = floor(ceil(blueColor) / 8.0);
 quad2.x = ceil(blueColor) - (quad2.y * 8.0);
 vec2 texPos1;
 texPos1.x = (quad1.x * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * tex.r);
 texPos1.y = (quad1.y * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * tex.g);
 vec2 texPos2;
 texPos2.x = (quad2.x * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * tex.r);
 texPos2.y = (quad2.y * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * tex.g);
 vec4 newColor1 = texture2D(lookup, texPos1);
 vec4 newColor2 = texture2D(lookup, texPos2);
 vec4 newColor = mix(newColor1, newColor2, fract(blueColor));
 gl_FragColor = vec4(newColor.rgb, tex.w);
}
@end`;var _f=`@export clay.compositor.vignette
#define OUTPUT_ALPHA
varying vec2 v_Texcoord;
uniform sampler2D texture;
uniform float darkness: 1;
uniform float offset: 1;
@import clay.util.rgbm
void main()
{
 vec4 texel = decodeHDR(texture2D(texture, v_Texcoord));
 gl_FragColor.rgb = texel.rgb;
 vec2 uv = (v_Texcoord - vec2(0.5)) * vec2(offset);
 gl_FragColor = encodeHDR(vec4(mix(texel.rgb, vec3(1.0 - darkness), dot(uv, uv)), texel.a));
}
@end`;var Xi=`@export clay.compositor.output
#define OUTPUT_ALPHA
varying vec2 v_Texcoord;
uniform sampler2D texture;
@import clay.util.rgbm
void main()
{
 vec4 tex = decodeHDR(texture2D(texture, v_Texcoord));
 gl_FragColor.rgb = tex.rgb;
#ifdef OUTPUT_ALPHA
 gl_FragColor.a = tex.a;
#else
 gl_FragColor.a = 1.0;
#endif
 gl_FragColor = encodeHDR(gl_FragColor);
#ifdef PREMULTIPLY_ALPHA
 gl_FragColor.rgb *= gl_FragColor.a;
#endif
}
@end`;var ji=`@export clay.compositor.bright
uniform sampler2D texture;
uniform float threshold : 1;
uniform float scale : 1.0;
uniform vec2 textureSize: [512, 512];
varying vec2 v_Texcoord;
const vec3 lumWeight = vec3(0.2125, 0.7154, 0.0721);
@import clay.util.rgbm
vec4 median(vec4 a, vec4 b, vec4 c)
{
 return a + b + c - min(min(a, b), c) - max(max(a, b), c);
}
void main()
{
 vec4 texel = decodeHDR(texture2D(texture, v_Texcoord));
#ifdef ANTI_FLICKER
 vec3 d = 1.0 / textureSize.xyx * vec3(1.0, 1.0, 0.0);
 vec4 s1 = decodeHDR(texture2D(texture, v_Texcoord - d.xz));
 vec4 s2 = decodeHDR(texture2D(texture, v_Texcoord + d.xz));
 vec4 s3 = decodeHDR(texture2D(texture, v_Texcoord - d.zy));
 vec4 s4 = decodeHDR(texture2D(texture, v_Texcoord + d.zy));
 texel = median(median(texel, s1, s2), s3, s4);
#endif
 float lum = dot(texel.rgb , lumWeight);
 vec4 color;
 if (lum > threshold && texel.a > 0.0)
 {
 color = vec4(texel.rgb * scale, texel.a * scale);
 }
 else
 {
 color = vec4(0.0);
 }
 gl_FragColor = encodeHDR(color);
}
@end
`;var Yi=`@export clay.compositor.downsample
uniform sampler2D texture;
uniform vec2 textureSize : [512, 512];
varying vec2 v_Texcoord;
@import clay.util.rgbm
float brightness(vec3 c)
{
 return max(max(c.r, c.g), c.b);
}
@import clay.util.clamp_sample
void main()
{
 vec4 d = vec4(-1.0, -1.0, 1.0, 1.0) / textureSize.xyxy;
#ifdef ANTI_FLICKER
 vec3 s1 = decodeHDR(clampSample(texture, v_Texcoord + d.xy)).rgb;
 vec3 s2 = decodeHDR(clampSample(texture, v_Texcoord + d.zy)).rgb;
 vec3 s3 = decodeHDR(clampSample(texture, v_Texcoord + d.xw)).rgb;
 vec3 s4 = decodeHDR(clampSample(texture, v_Texcoord + d.zw)).rgb;
 float s1w = 1.0 / (brightness(s1) + 1.0);
 float s2w = 1.0 / (brightness(s2) + 1.0);
 float s3w = 1.0 / (brightness(s3) + 1.0);
 float s4w = 1.0 / (brightness(s4) + 1.0);
 float oneDivideSum = 1.0 / (s1w + s2w + s3w + s4w);
 vec4 color = vec4(
 (s1 * s1w + s2 * s2w + s3 * s3w + s4 * s4w) * oneDivideSum,
 1.0
 );
#else
 vec4 color = decodeHDR(clampSample(texture, v_Texcoord + d.xy));
 color += decodeHDR(clampSample(texture, v_Texcoord + d.zy));
 color += decodeHDR(clampSample(texture, v_Texcoord + d.xw));
 color += decodeHDR(clampSample(texture, v_Texcoord + d.zw));
 color *= 0.25;
#endif
 gl_FragColor = encodeHDR(color);
}
@end`;var qi=`
@export clay.compositor.upsample
#define HIGH_QUALITY
uniform sampler2D texture;
uniform vec2 textureSize : [512, 512];
uniform float sampleScale: 0.5;
varying vec2 v_Texcoord;
@import clay.util.rgbm
@import clay.util.clamp_sample
void main()
{
#ifdef HIGH_QUALITY
 vec4 d = vec4(1.0, 1.0, -1.0, 0.0) / textureSize.xyxy * sampleScale;
 vec4 s;
 s = decodeHDR(clampSample(texture, v_Texcoord - d.xy));
 s += decodeHDR(clampSample(texture, v_Texcoord - d.wy)) * 2.0;
 s += decodeHDR(clampSample(texture, v_Texcoord - d.zy));
 s += decodeHDR(clampSample(texture, v_Texcoord + d.zw)) * 2.0;
 s += decodeHDR(clampSample(texture, v_Texcoord )) * 4.0;
 s += decodeHDR(clampSample(texture, v_Texcoord + d.xw)) * 2.0;
 s += decodeHDR(clampSample(texture, v_Texcoord + d.zy));
 s += decodeHDR(clampSample(texture, v_Texcoord + d.wy)) * 2.0;
 s += decodeHDR(clampSample(texture, v_Texcoord + d.xy));
 gl_FragColor = encodeHDR(s / 16.0);
#else
 vec4 d = vec4(-1.0, -1.0, +1.0, +1.0) / textureSize.xyxy;
 vec4 s;
 s = decodeHDR(clampSample(texture, v_Texcoord + d.xy));
 s += decodeHDR(clampSample(texture, v_Texcoord + d.zy));
 s += decodeHDR(clampSample(texture, v_Texcoord + d.xw));
 s += decodeHDR(clampSample(texture, v_Texcoord + d.zw));
 gl_FragColor = encodeHDR(s / 4.0);
#endif
}
@end`;var Zi=`@export clay.compositor.hdr.composite
#define TONEMAPPING
uniform sampler2D texture;
#ifdef BLOOM_ENABLED
uniform sampler2D bloom;
#endif
#ifdef LENSFLARE_ENABLED
uniform sampler2D lensflare;
uniform sampler2D lensdirt;
#endif
#ifdef LUM_ENABLED
uniform sampler2D lum;
#endif
#ifdef LUT_ENABLED
uniform sampler2D lut;
#endif
#ifdef COLOR_CORRECTION
uniform float brightness : 0.0;
uniform float contrast : 1.0;
uniform float saturation : 1.0;
#endif
#ifdef VIGNETTE
uniform float vignetteDarkness: 1.0;
uniform float vignetteOffset: 1.0;
#endif
uniform float exposure : 1.0;
uniform float bloomIntensity : 0.25;
uniform float lensflareIntensity : 1;
varying vec2 v_Texcoord;
@import clay.util.srgb
vec3 ACESToneMapping(vec3 color)
{
 const float A = 2.51;
 const float B = 0.03;
 const float C = 2.43;
 const float D = 0.59;
 const float E = 0.14;
 return (color * (A * color + B)) / (color * (C * color + D) + E);
}
float eyeAdaption(float fLum)
{
 return mix(0.2, fLum, 0.5);
}
#ifdef LUT_ENABLED
vec3 lutTransform(vec3 color) {
 float blueColor = color.b * 63.0;
 vec2 quad1;
 quad1.y = floor(floor(blueColor) / 8.0);
 quad1.x = floor(blueColor) - (quad1.y * 8.0);
 vec2 quad2;
 quad2.y = floor(ceil(blueColor) / 8.0);
 quad2.x = ceil(blueColor) - (quad2.y * 8.0);
 vec2 texPos1;
 texPos1.x = (quad1.x * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * color.r);
 texPos1.y = (quad1.y * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * color.g);
 vec2 texPos2;
 texPos2.x = (quad2.x * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * color.r);
 texPos2.y = (quad2.y * 0.125) + 0.5/512.0 + ((0.125 - 1.0/512.0) * color.g);
 vec4 newColor1 = texture2D(lut, texPos1);
 vec4 newColor2 = texture2D(lut, texPos2);
 vec4 newColor = mix(newColor1, newColor2, fract(blueColor));
 return newColor.rgb;
}
#endif
@import clay.util.rgbm
void main()
{
 vec4 texel = vec4(0.0);
 vec4 originalTexel = vec4(0.0);
#ifdef TEXTURE_ENABLED
 texel = decodeHDR(texture2D(texture, v_Texcoord));
 originalTexel = texel;
#endif
#ifdef BLOOM_ENABLED
 vec4 bloomTexel = decodeHDR(texture2D(bloom, v_Texcoord));
 texel.rgb += bloomTexel.rgb * bloomIntensity;
 texel.a += bloomTexel.a * bloomIntensity;
#endif
#ifdef LENSFLARE_ENABLED
 texel += decodeHDR(texture2D(lensflare, v_Texcoord)) * texture2D(lensdirt, v_Texcoord) * lensflareIntensity;
#endif
 texel.a = min(texel.a, 1.0);
#ifdef LUM_ENABLED
 float fLum = texture2D(lum, vec2(0.5, 0.5)).r;
 float adaptedLumDest = 3.0 / (max(0.1, 1.0 + 10.0*eyeAdaption(fLum)));
 float exposureBias = adaptedLumDest * exposure;
#else
 float exposureBias = exposure;
#endif
#ifdef TONEMAPPING
 texel.rgb *= exposureBias;
 texel.rgb = ACESToneMapping(texel.rgb);
#endif
 texel = linearTosRGB(texel);
#ifdef LUT_ENABLED
 texel.rgb = lutTransform(clamp(texel.rgb,vec3(0.0),vec3(1.0)));
#endif
#ifdef COLOR_CORRECTION
 texel.rgb = clamp(texel.rgb + vec3(brightness), 0.0, 1.0);
 texel.rgb = clamp((texel.rgb - vec3(0.5))*contrast+vec3(0.5), 0.0, 1.0);
 float lum = dot(texel.rgb, vec3(0.2125, 0.7154, 0.0721));
 texel.rgb = mix(vec3(lum), texel.rgb, saturation);
#endif
#ifdef VIGNETTE
 vec2 uv = (v_Texcoord - vec2(0.5)) * vec2(vignetteOffset);
 texel.rgb = mix(texel.rgb, vec3(1.0 - vignetteDarkness), dot(uv, uv));
#endif
 gl_FragColor = encodeHDR(texel);
#ifdef DEBUG
 #if DEBUG == 1
 gl_FragColor = encodeHDR(decodeHDR(texture2D(texture, v_Texcoord)));
 #elif DEBUG == 2
 gl_FragColor = encodeHDR(decodeHDR(texture2D(bloom, v_Texcoord)) * bloomIntensity);
 #elif DEBUG == 3
 gl_FragColor = encodeHDR(decodeHDR(texture2D(lensflare, v_Texcoord) * lensflareIntensity));
 #endif
#endif
 if (originalTexel.a <= 0.01 && gl_FragColor.a > 1e-5) {
 gl_FragColor.a = dot(gl_FragColor.rgb, vec3(0.2125, 0.7154, 0.0721));
 }
#ifdef PREMULTIPLY_ALPHA
 gl_FragColor.rgb *= gl_FragColor.a;
#endif
}
@end`;var gf=`@export clay.compositor.lensflare
#define SAMPLE_NUMBER 8
uniform sampler2D texture;
uniform sampler2D lenscolor;
uniform vec2 textureSize : [512, 512];
uniform float dispersal : 0.3;
uniform float haloWidth : 0.4;
uniform float distortion : 1.0;
varying vec2 v_Texcoord;
@import clay.util.rgbm
vec4 textureDistorted(
 in vec2 texcoord,
 in vec2 direction,
 in vec3 distortion
) {
 return vec4(
 decodeHDR(texture2D(texture, texcoord + direction * distortion.r)).r,
 decodeHDR(texture2D(texture, texcoord + direction * distortion.g)).g,
 decodeHDR(texture2D(texture, texcoord + direction * distortion.b)).b,
 1.0
 );
}
void main()
{
 vec2 texcoord = -v_Texcoord + vec2(1.0); vec2 textureOffset = 1.0 / textureSize;
 vec2 ghostVec = (vec2(0.5) - texcoord) * dispersal;
 vec2 haloVec = normalize(ghostVec) * haloWidth;
 vec3 distortion = vec3(-textureOffset.x * distortion, 0.0, textureOffset.x * distortion);
 vec4 result = vec4(0.0);
 for (int i = 0; i < SAMPLE_NUMBER; i++)
 {
 vec2 offset = fract(texcoord + ghostVec * float(i));
 float weight = length(vec2(0.5) - offset) / length(vec2(0.5));
 weight = pow(1.0 - weight, 10.0);
 result += textureDistorted(offset, normalize(ghostVec), distortion) * weight;
 }
 result *= texture2D(lenscolor, vec2(length(vec2(0.5) - texcoord)) / length(vec2(0.5)));
 float weight = length(vec2(0.5) - fract(texcoord + haloVec)) / length(vec2(0.5));
 weight = pow(1.0 - weight, 10.0);
 vec2 offset = fract(texcoord + haloVec);
 result += textureDistorted(offset, normalize(ghostVec), distortion) * weight;
 gl_FragColor = result;
}
@end`;var Ki=`@export clay.compositor.blend
#define SHADER_NAME blend
#ifdef TEXTURE1_ENABLED
uniform sampler2D texture1;
uniform float weight1 : 1.0;
#endif
#ifdef TEXTURE2_ENABLED
uniform sampler2D texture2;
uniform float weight2 : 1.0;
#endif
#ifdef TEXTURE3_ENABLED
uniform sampler2D texture3;
uniform float weight3 : 1.0;
#endif
#ifdef TEXTURE4_ENABLED
uniform sampler2D texture4;
uniform float weight4 : 1.0;
#endif
#ifdef TEXTURE5_ENABLED
uniform sampler2D texture5;
uniform float weight5 : 1.0;
#endif
#ifdef TEXTURE6_ENABLED
uniform sampler2D texture6;
uniform float weight6 : 1.0;
#endif
varying vec2 v_Texcoord;
@import clay.util.rgbm
void main()
{
 vec4 tex = vec4(0.0);
#ifdef TEXTURE1_ENABLED
 tex += decodeHDR(texture2D(texture1, v_Texcoord)) * weight1;
#endif
#ifdef TEXTURE2_ENABLED
 tex += decodeHDR(texture2D(texture2, v_Texcoord)) * weight2;
#endif
#ifdef TEXTURE3_ENABLED
 tex += decodeHDR(texture2D(texture3, v_Texcoord)) * weight3;
#endif
#ifdef TEXTURE4_ENABLED
 tex += decodeHDR(texture2D(texture4, v_Texcoord)) * weight4;
#endif
#ifdef TEXTURE5_ENABLED
 tex += decodeHDR(texture2D(texture5, v_Texcoord)) * weight5;
#endif
#ifdef TEXTURE6_ENABLED
 tex += decodeHDR(texture2D(texture6, v_Texcoord)) * weight6;
#endif
 gl_FragColor = encodeHDR(tex);
}
@end`;var Qi=`@export clay.compositor.fxaa
uniform sampler2D texture;
uniform vec4 viewport : VIEWPORT;
varying vec2 v_Texcoord;
#define FXAA_REDUCE_MIN (1.0/128.0)
#define FXAA_REDUCE_MUL (1.0/8.0)
#define FXAA_SPAN_MAX 8.0
@import clay.util.rgbm
void main()
{
 vec2 resolution = 1.0 / viewport.zw;
 vec3 rgbNW = decodeHDR( texture2D( texture, ( gl_FragCoord.xy + vec2( -1.0, -1.0 ) ) * resolution ) ).xyz;
 vec3 rgbNE = decodeHDR( texture2D( texture, ( gl_FragCoord.xy + vec2( 1.0, -1.0 ) ) * resolution ) ).xyz;
 vec3 rgbSW = decodeHDR( texture2D( texture, ( gl_FragCoord.xy + vec2( -1.0, 1.0 ) ) * resolution ) ).xyz;
 vec3 rgbSE = decodeHDR( texture2D( texture, ( gl_FragCoord.xy + vec2( 1.0, 1.0 ) ) * resolution ) ).xyz;
 vec4 rgbaM = decodeHDR( texture2D( texture, gl_FragCoord.xy * resolution ) );
 vec3 rgbM = rgbaM.xyz;
 float opacity = rgbaM.w;
 vec3 luma = vec3( 0.299, 0.587, 0.114 );
 float lumaNW = dot( rgbNW, luma );
 float lumaNE = dot( rgbNE, luma );
 float lumaSW = dot( rgbSW, luma );
 float lumaSE = dot( rgbSE, luma );
 float lumaM = dot( rgbM, luma );
 float lumaMin = min( lumaM, min( min( lumaNW, lumaNE ), min( lumaSW, lumaSE ) ) );
 float lumaMax = max( lumaM, max( max( lumaNW, lumaNE) , max( lumaSW, lumaSE ) ) );
 vec2 dir;
 dir.x = -((lumaNW + lumaNE) - (lumaSW + lumaSE));
 dir.y = ((lumaNW + lumaSW) - (lumaNE + lumaSE));
 float dirReduce = max( ( lumaNW + lumaNE + lumaSW + lumaSE ) * ( 0.25 * FXAA_REDUCE_MUL ), FXAA_REDUCE_MIN );
 float rcpDirMin = 1.0 / ( min( abs( dir.x ), abs( dir.y ) ) + dirReduce );
 dir = min( vec2( FXAA_SPAN_MAX, FXAA_SPAN_MAX),
 max( vec2(-FXAA_SPAN_MAX, -FXAA_SPAN_MAX),
 dir * rcpDirMin)) * resolution;
 vec3 rgbA = decodeHDR( texture2D( texture, gl_FragCoord.xy * resolution + dir * ( 1.0 / 3.0 - 0.5 ) ) ).xyz;
 rgbA += decodeHDR( texture2D( texture, gl_FragCoord.xy * resolution + dir * ( 2.0 / 3.0 - 0.5 ) ) ).xyz;
 rgbA *= 0.5;
 vec3 rgbB = decodeHDR( texture2D( texture, gl_FragCoord.xy * resolution + dir * -0.5 ) ).xyz;
 rgbB += decodeHDR( texture2D( texture, gl_FragCoord.xy * resolution + dir * 0.5 ) ).xyz;
 rgbB *= 0.25;
 rgbB += rgbA * 0.5;
 float lumaB = dot( rgbB, luma );
 if ( ( lumaB < lumaMin ) || ( lumaB > lumaMax ) )
 {
 gl_FragColor = vec4( rgbA, opacity );
 }
 else {
 gl_FragColor = vec4( rgbB, opacity );
 }
}
@end`;function ua(e){e.import(pf),e.import(ki),e.import(vf),e.import(Wi),e.import(_f),e.import(Xi),e.import(ji),e.import(Yi),e.import(qi),e.import(Zi),e.import(gf),e.import(Ki),e.import(Qi)}ua(N);var Ph=/^#source\((.*?)\)/;function Oh(e,t){var r=new cf;t=t||{};var i={textures:{},parameters:{}},n=function(s,f){for(var l=0;l<e.nodes.length;l++){var u=e.nodes[l],c=Ih(u,i,t);c&&r.addNode(c)}};for(var a in e.parameters){var o=e.parameters[a];i.parameters[a]=ca(o)}return Uh(e,i,t,function(s){i.textures=s,n()}),r}function Ih(e,t,r){var i=e.type||"filter",n,a,o;if(i==="filter"){var s=e.shader.trim(),f=Ph.exec(s);if(f?n=N.source(f[1].trim()):s.charAt(0)==="#"&&(n=t.shaders[s.substr(1)]),n||(n=s),!n)return}if(e.inputs){a={};for(var l in e.inputs)typeof e.inputs[l]=="string"?a[l]=e.inputs[l]:a[l]={node:e.inputs[l].node,pin:e.inputs[l].pin}}if(e.outputs){o={};for(var l in e.outputs){var u=e.outputs[l];o[l]={},u.attachment!=null&&(o[l].attachment=u.attachment),u.keepLastFrame!=null&&(o[l].keepLastFrame=u.keepLastFrame),u.outputLastFrame!=null&&(o[l].outputLastFrame=u.outputLastFrame),u.parameters&&(o[l].parameters=ca(u.parameters))}}var c;if(i==="scene"?c=new hf({name:e.name,scene:r.scene,camera:r.camera,outputs:o}):i==="texture"?c=new df({name:e.name,outputs:o}):c=new mf({name:e.name,shader:n,inputs:a,outputs:o}),c){if(e.parameters)for(var l in e.parameters){var d=e.parameters[l];typeof d=="string"?(d=d.trim(),d.charAt(0)==="#"?d=t.textures[d.substr(1)]:c.on("beforerender",Hh(l,yf(d)))):typeof d=="function"&&c.on("beforerender",d),c.setParameter(l,d)}if(e.defines&&c.pass)for(var l in e.defines){var d=e.defines[l];c.pass.material.define("fragment",l,d)}}return c}function Bh(e,t){return e}function Fh(e,t){return t}function ca(e){var t={};if(!e)return t;["type","minFilter","magFilter","wrapS","wrapT","flipY","useMipmap"].forEach(function(i){var n=e[i];n!=null&&(typeof n=="string"&&(n=I[n]),t[i]=n)});var r=e.scale||1;return["width","height"].forEach(function(i){if(e[i]!=null){var n=e[i];typeof n=="string"?(n=n.trim(),t[i]=Gh(i,yf(n),r)):t[i]=n}}),t.width||(t.width=Bh),t.height||(t.height=Fh),e.useMipmap!=null&&(t.useMipmap=e.useMipmap),t}function Uh(e,t,r,i){if(!e.textures){i({});return}var n={},a=0,o=!1,s=r.textureRootPath;pe.each(e.textures,function(f,l){var u,c=f.path,d=ca(f.parameters);if(Array.isArray(c)&&c.length===6)s&&(c=c.map(function(h){return pe.relative2absolute(h,s)})),u=new bt(d);else if(typeof c=="string")s&&(c=pe.relative2absolute(c,s)),u=new X(d);else return;u.load(c),a++,u.once("success",function(){n[l]=u,a--,a===0&&(i(n),o=!0)})}),a===0&&!o&&i(n)}function Hh(e,t){return function(r){var i=r.getDevicePixelRatio(),n=r.getWidth(),a=r.getHeight(),o=t(n,a,i);this.setParameter(e,o)}}function Gh(e,t,r){return r=r||1,function(i){var n=i.getDevicePixelRatio(),a=i.getWidth()*r,o=i.getHeight()*r;return t(a,o,n)}}function yf(e){var t=/^expr\((.*)\)$/.exec(e);if(t)try{var r=fa(t[1]);return r(1,1),r}catch{throw new Error("Invalid expression.")}}var xf=Oh;var Tf=xf;function zh(e,t){for(var r=0,i=1/t,n=e;n>0;)r=r+i*(n%t),n=Math.floor(n/t),i=i/t;return r}var Mt=zh;var Ef=`@export ecgl.ssao.estimate

uniform sampler2D depthTex;

uniform sampler2D normalTex;

uniform sampler2D noiseTex;

uniform vec2 depthTexSize;

uniform vec2 noiseTexSize;

uniform mat4 projection;

uniform mat4 projectionInv;

uniform mat4 viewInverseTranspose;

uniform vec3 kernel[KERNEL_SIZE];

uniform float radius : 1;

uniform float power : 1;

uniform float bias: 1e-2;

uniform float intensity: 1.0;

varying vec2 v_Texcoord;

float ssaoEstimator(in vec3 originPos, in mat3 kernelBasis) {
 float occlusion = 0.0;

 for (int i = 0; i < KERNEL_SIZE; i++) {
 vec3 samplePos = kernel[i];
#ifdef NORMALTEX_ENABLED
 samplePos = kernelBasis * samplePos;
#endif
 samplePos = samplePos * radius + originPos;

 vec4 texCoord = projection * vec4(samplePos, 1.0);
 texCoord.xy /= texCoord.w;

 vec4 depthTexel = texture2D(depthTex, texCoord.xy * 0.5 + 0.5);

 float sampleDepth = depthTexel.r * 2.0 - 1.0;
 if (projection[3][3] == 0.0) {
 sampleDepth = projection[3][2] / (sampleDepth * projection[2][3] - projection[2][2]);
 }
 else {
 sampleDepth = (sampleDepth - projection[3][2]) / projection[2][2];
 }
 
 float rangeCheck = smoothstep(0.0, 1.0, radius / abs(originPos.z - sampleDepth));
 occlusion += rangeCheck * step(samplePos.z, sampleDepth - bias);
 }
#ifdef NORMALTEX_ENABLED
 occlusion = 1.0 - occlusion / float(KERNEL_SIZE);
#else
 occlusion = 1.0 - clamp((occlusion / float(KERNEL_SIZE) - 0.6) * 2.5, 0.0, 1.0);
#endif
 return pow(occlusion, power);
}

void main()
{

 vec4 depthTexel = texture2D(depthTex, v_Texcoord);

#ifdef NORMALTEX_ENABLED
 vec4 tex = texture2D(normalTex, v_Texcoord);
 if (dot(tex.rgb, tex.rgb) == 0.0) {
 gl_FragColor = vec4(1.0);
 return;
 }
 vec3 N = tex.rgb * 2.0 - 1.0;
 N = (viewInverseTranspose * vec4(N, 0.0)).xyz;

 vec2 noiseTexCoord = depthTexSize / vec2(noiseTexSize) * v_Texcoord;
 vec3 rvec = texture2D(noiseTex, noiseTexCoord).rgb * 2.0 - 1.0;
 vec3 T = normalize(rvec - N * dot(rvec, N));
 vec3 BT = normalize(cross(N, T));
 mat3 kernelBasis = mat3(T, BT, N);
#else
 if (depthTexel.r > 0.99999) {
 gl_FragColor = vec4(1.0);
 return;
 }
 mat3 kernelBasis;
#endif

 float z = depthTexel.r * 2.0 - 1.0;

 vec4 projectedPos = vec4(v_Texcoord * 2.0 - 1.0, z, 1.0);
 vec4 p4 = projectionInv * projectedPos;

 vec3 position = p4.xyz / p4.w;

 float ao = ssaoEstimator(position, kernelBasis);
 ao = clamp(1.0 - (1.0 - ao) * intensity, 0.0, 1.0);
 gl_FragColor = vec4(vec3(ao), 1.0);
}

@end


@export ecgl.ssao.blur
#define SHADER_NAME SSAO_BLUR

uniform sampler2D ssaoTexture;

#ifdef NORMALTEX_ENABLED
uniform sampler2D normalTex;
#endif

varying vec2 v_Texcoord;

uniform vec2 textureSize;
uniform float blurSize : 1.0;

uniform int direction: 0.0;

#ifdef DEPTHTEX_ENABLED
uniform sampler2D depthTex;
uniform mat4 projection;
uniform float depthRange : 0.5;

float getLinearDepth(vec2 coord)
{
 float depth = texture2D(depthTex, coord).r * 2.0 - 1.0;
 return projection[3][2] / (depth * projection[2][3] - projection[2][2]);
}
#endif

void main()
{
 float kernel[5];
 kernel[0] = 0.122581;
 kernel[1] = 0.233062;
 kernel[2] = 0.288713;
 kernel[3] = 0.233062;
 kernel[4] = 0.122581;

 vec2 off = vec2(0.0);
 if (direction == 0) {
 off[0] = blurSize / textureSize.x;
 }
 else {
 off[1] = blurSize / textureSize.y;
 }

 vec2 coord = v_Texcoord;

 float sum = 0.0;
 float weightAll = 0.0;

#ifdef NORMALTEX_ENABLED
 vec3 centerNormal = texture2D(normalTex, v_Texcoord).rgb * 2.0 - 1.0;
#endif
#if defined(DEPTHTEX_ENABLED)
 float centerDepth = getLinearDepth(v_Texcoord);
#endif

 for (int i = 0; i < 5; i++) {
 vec2 coord = clamp(v_Texcoord + vec2(float(i) - 2.0) * off, vec2(0.0), vec2(1.0));

 float w = kernel[i];
#ifdef NORMALTEX_ENABLED
 vec3 normal = texture2D(normalTex, coord).rgb * 2.0 - 1.0;
 w *= clamp(dot(normal, centerNormal), 0.0, 1.0);
#endif
#ifdef DEPTHTEX_ENABLED
 float d = getLinearDepth(coord);
 w *= (1.0 - smoothstep(abs(centerDepth - d) / depthRange, 0.0, 1.0));
#endif

 weightAll += w;
 sum += texture2D(ssaoTexture, coord).r * w;
 }

 gl_FragColor = vec4(vec3(sum / weightAll), 1.0);
}

@end
`;N.import(Ef);function Af(e){for(var t=new Uint8Array(e*e*4),r=0,i=new C,n=0;n<e;n++)for(var a=0;a<e;a++)i.set(Math.random()*2-1,Math.random()*2-1,0).normalize(),t[r++]=(i.x*.5+.5)*255,t[r++]=(i.y*.5+.5)*255,t[r++]=0,t[r++]=255;return t}function Sf(e){return new X({pixels:Af(e),wrapS:I.REPEAT,wrapT:I.REPEAT,width:e,height:e})}function Vh(e,t,r){var i=new Float32Array(e*3);t=t||0;for(var n=0;n<e;n++){var a=Mt(n+t,2)*(r?1:2)*Math.PI,o=Mt(n+t,3)*Math.PI,s=Math.random(),f=Math.cos(a)*Math.sin(o)*s,l=Math.cos(o)*s,u=Math.sin(a)*Math.sin(o)*s;i[n*3]=f,i[n*3+1]=l,i[n*3+2]=u}return i}function Nt(e){e=e||{},this._ssaoPass=new Ae({fragment:N.source("ecgl.ssao.estimate")}),this._blurPass=new Ae({fragment:N.source("ecgl.ssao.blur")}),this._framebuffer=new ue({depthBuffer:!1}),this._ssaoTexture=new X,this._blurTexture=new X,this._blurTexture2=new X,this._depthTex=e.depthTexture,this._normalTex=e.normalTexture,this.setNoiseSize(4),this.setKernelSize(e.kernelSize||12),e.radius!=null&&this.setParameter("radius",e.radius),e.power!=null&&this.setParameter("power",e.power),this._normalTex||(this._ssaoPass.material.disableTexture("normalTex"),this._blurPass.material.disableTexture("normalTex")),this._depthTex||this._blurPass.material.disableTexture("depthTex"),this._blurPass.material.setUniform("normalTex",this._normalTex),this._blurPass.material.setUniform("depthTex",this._depthTex)}Nt.prototype.setDepthTexture=function(e){this._depthTex=e};Nt.prototype.setNormalTexture=function(e){this._normalTex=e,this._ssaoPass.material[e?"enableTexture":"disableTexture"]("normalTex"),this.setKernelSize(this._kernelSize)};Nt.prototype.update=function(e,t,r){var i=e.getWidth(),n=e.getHeight(),a=this._ssaoPass,o=this._blurPass;a.setUniform("kernel",this._kernels[r%this._kernels.length]),a.setUniform("depthTex",this._depthTex),this._normalTex!=null&&a.setUniform("normalTex",this._normalTex),a.setUniform("depthTexSize",[this._depthTex.width,this._depthTex.height]);var s=new O;O.transpose(s,t.worldTransform),a.setUniform("projection",t.projectionMatrix.array),a.setUniform("projectionInv",t.invProjectionMatrix.array),a.setUniform("viewInverseTranspose",s.array);var f=this._ssaoTexture,l=this._blurTexture,u=this._blurTexture2;f.width=i/2,f.height=n/2,l.width=i,l.height=n,u.width=i,u.height=n,this._framebuffer.attach(f),this._framebuffer.bind(e),e.gl.clearColor(1,1,1,1),e.gl.clear(e.gl.COLOR_BUFFER_BIT),a.render(e),o.setUniform("textureSize",[i/2,n/2]),o.setUniform("projection",t.projectionMatrix.array),this._framebuffer.attach(l),o.setUniform("direction",0),o.setUniform("ssaoTexture",f),o.render(e),this._framebuffer.attach(u),o.setUniform("textureSize",[i,n]),o.setUniform("direction",1),o.setUniform("ssaoTexture",l),o.render(e),this._framebuffer.unbind(e);var c=e.clearColor;e.gl.clearColor(c[0],c[1],c[2],c[3])};Nt.prototype.getTargetTexture=function(){return this._blurTexture2};Nt.prototype.setParameter=function(e,t){e==="noiseTexSize"?this.setNoiseSize(t):e==="kernelSize"?this.setKernelSize(t):e==="intensity"?this._ssaoPass.material.set("intensity",t):this._ssaoPass.setUniform(e,t)};Nt.prototype.setKernelSize=function(e){this._kernelSize=e,this._ssaoPass.material.define("fragment","KERNEL_SIZE",e),this._kernels=this._kernels||[];for(var t=0;t<30;t++)this._kernels[t]=Vh(e,t*e,!!this._normalTex)};Nt.prototype.setNoiseSize=function(e){var t=this._ssaoPass.getUniform("noiseTex");t?(t.data=Af(e),t.width=t.height=e,t.dirty()):(t=Sf(e),this._ssaoPass.setUniform("noiseTex",Sf(e))),this._ssaoPass.setUniform("noiseTexSize",[e,e])};Nt.prototype.dispose=function(e){this._blurTexture.dispose(e),this._ssaoTexture.dispose(e),this._blurTexture2.dispose(e)};var wf=Nt;var bf=`@export ecgl.ssr.main

#define SHADER_NAME SSR
#define MAX_ITERATION 20;
#define SAMPLE_PER_FRAME 5;
#define TOTAL_SAMPLES 128;

uniform sampler2D sourceTexture;
uniform sampler2D gBufferTexture1;
uniform sampler2D gBufferTexture2;
uniform sampler2D gBufferTexture3;
uniform samplerCube specularCubemap;
uniform float specularIntensity: 1;

uniform mat4 projection;
uniform mat4 projectionInv;
uniform mat4 toViewSpace;
uniform mat4 toWorldSpace;

uniform float maxRayDistance: 200;

uniform float pixelStride: 16;
uniform float pixelStrideZCutoff: 50; 
uniform float screenEdgeFadeStart: 0.9; 
uniform float eyeFadeStart : 0.2; uniform float eyeFadeEnd: 0.8; 
uniform float minGlossiness: 0.2; uniform float zThicknessThreshold: 1;

uniform float nearZ;
uniform vec2 viewportSize : VIEWPORT_SIZE;

uniform float jitterOffset: 0;

varying vec2 v_Texcoord;

#ifdef DEPTH_DECODE
@import clay.util.decode_float
#endif

#ifdef PHYSICALLY_CORRECT
uniform sampler2D normalDistribution;
uniform float sampleOffset: 0;
uniform vec2 normalDistributionSize;

vec3 transformNormal(vec3 H, vec3 N) {
 vec3 upVector = N.y > 0.999 ? vec3(1.0, 0.0, 0.0) : vec3(0.0, 1.0, 0.0);
 vec3 tangentX = normalize(cross(N, upVector));
 vec3 tangentZ = cross(N, tangentX);
 return normalize(tangentX * H.x + N * H.y + tangentZ * H.z);
}
vec3 importanceSampleNormalGGX(float i, float roughness, vec3 N) {
 float p = fract((i + sampleOffset) / float(TOTAL_SAMPLES));
 vec3 H = texture2D(normalDistribution,vec2(roughness, p)).rgb;
 return transformNormal(H, N);
}
float G_Smith(float g, float ndv, float ndl) {
 float roughness = 1.0 - g;
 float k = roughness * roughness / 2.0;
 float G1V = ndv / (ndv * (1.0 - k) + k);
 float G1L = ndl / (ndl * (1.0 - k) + k);
 return G1L * G1V;
}
vec3 F_Schlick(float ndv, vec3 spec) {
 return spec + (1.0 - spec) * pow(1.0 - ndv, 5.0);
}
#endif

float fetchDepth(sampler2D depthTexture, vec2 uv)
{
 vec4 depthTexel = texture2D(depthTexture, uv);
 return depthTexel.r * 2.0 - 1.0;
}

float linearDepth(float depth)
{
 if (projection[3][3] == 0.0) {
 return projection[3][2] / (depth * projection[2][3] - projection[2][2]);
 }
 else {
 return (depth - projection[3][2]) / projection[2][2];
 }
}

bool rayIntersectDepth(float rayZNear, float rayZFar, vec2 hitPixel)
{
 if (rayZFar > rayZNear)
 {
 float t = rayZFar; rayZFar = rayZNear; rayZNear = t;
 }
 float cameraZ = linearDepth(fetchDepth(gBufferTexture2, hitPixel));
 return rayZFar <= cameraZ && rayZNear >= cameraZ - zThicknessThreshold;
}


bool traceScreenSpaceRay(
 vec3 rayOrigin, vec3 rayDir, float jitter,
 out vec2 hitPixel, out vec3 hitPoint, out float iterationCount
)
{
 float rayLength = ((rayOrigin.z + rayDir.z * maxRayDistance) > -nearZ)
 ? (-nearZ - rayOrigin.z) / rayDir.z : maxRayDistance;

 vec3 rayEnd = rayOrigin + rayDir * rayLength;

 vec4 H0 = projection * vec4(rayOrigin, 1.0);
 vec4 H1 = projection * vec4(rayEnd, 1.0);

 float k0 = 1.0 / H0.w, k1 = 1.0 / H1.w;

 vec3 Q0 = rayOrigin * k0, Q1 = rayEnd * k1;

 vec2 P0 = (H0.xy * k0 * 0.5 + 0.5) * viewportSize;
 vec2 P1 = (H1.xy * k1 * 0.5 + 0.5) * viewportSize;

 P1 += dot(P1 - P0, P1 - P0) < 0.0001 ? 0.01 : 0.0;
 vec2 delta = P1 - P0;

 bool permute = false;
 if (abs(delta.x) < abs(delta.y)) {
 permute = true;
 delta = delta.yx;
 P0 = P0.yx;
 P1 = P1.yx;
 }
 float stepDir = sign(delta.x);
 float invdx = stepDir / delta.x;

 vec3 dQ = (Q1 - Q0) * invdx;
 float dk = (k1 - k0) * invdx;

 vec2 dP = vec2(stepDir, delta.y * invdx);

 float strideScaler = 1.0 - min(1.0, -rayOrigin.z / pixelStrideZCutoff);
 float pixStride = 1.0 + strideScaler * pixelStride;

 dP *= pixStride; dQ *= pixStride; dk *= pixStride;

 vec4 pqk = vec4(P0, Q0.z, k0);
 vec4 dPQK = vec4(dP, dQ.z, dk);

 pqk += dPQK * jitter;
 float rayZFar = (dPQK.z * 0.5 + pqk.z) / (dPQK.w * 0.5 + pqk.w);
 float rayZNear;

 bool intersect = false;

 vec2 texelSize = 1.0 / viewportSize;

 iterationCount = 0.0;

 for (int i = 0; i < MAX_ITERATION; i++)
 {
 pqk += dPQK;

 rayZNear = rayZFar;
 rayZFar = (dPQK.z * 0.5 + pqk.z) / (dPQK.w * 0.5 + pqk.w);

 hitPixel = permute ? pqk.yx : pqk.xy;
 hitPixel *= texelSize;

 intersect = rayIntersectDepth(rayZNear, rayZFar, hitPixel);

 iterationCount += 1.0;

 dPQK *= 1.2;

 if (intersect) {
 break;
 }
 }

 Q0.xy += dQ.xy * iterationCount;
 Q0.z = pqk.z;
 hitPoint = Q0 / pqk.w;

 return intersect;
}

float calculateAlpha(
 float iterationCount, float reflectivity,
 vec2 hitPixel, vec3 hitPoint, float dist, vec3 rayDir
)
{
 float alpha = clamp(reflectivity, 0.0, 1.0);
 alpha *= 1.0 - (iterationCount / float(MAX_ITERATION));
 vec2 hitPixelNDC = hitPixel * 2.0 - 1.0;
 float maxDimension = min(1.0, max(abs(hitPixelNDC.x), abs(hitPixelNDC.y)));
 alpha *= 1.0 - max(0.0, maxDimension - screenEdgeFadeStart) / (1.0 - screenEdgeFadeStart);

 float _eyeFadeStart = eyeFadeStart;
 float _eyeFadeEnd = eyeFadeEnd;
 if (_eyeFadeStart > _eyeFadeEnd) {
 float tmp = _eyeFadeEnd;
 _eyeFadeEnd = _eyeFadeStart;
 _eyeFadeStart = tmp;
 }

 float eyeDir = clamp(rayDir.z, _eyeFadeStart, _eyeFadeEnd);
 alpha *= 1.0 - (eyeDir - _eyeFadeStart) / (_eyeFadeEnd - _eyeFadeStart);

 alpha *= 1.0 - clamp(dist / maxRayDistance, 0.0, 1.0);

 return alpha;
}

@import clay.util.rand

@import clay.util.rgbm

void main()
{
 vec4 normalAndGloss = texture2D(gBufferTexture1, v_Texcoord);

 if (dot(normalAndGloss.rgb, vec3(1.0)) == 0.0) {
 discard;
 }

 float g = normalAndGloss.a;
#if !defined(PHYSICALLY_CORRECT)
 if (g <= minGlossiness) {
 discard;
 }
#endif

 float reflectivity = (g - minGlossiness) / (1.0 - minGlossiness);

 vec3 N = normalize(normalAndGloss.rgb * 2.0 - 1.0);
 N = normalize((toViewSpace * vec4(N, 0.0)).xyz);

 vec4 projectedPos = vec4(v_Texcoord * 2.0 - 1.0, fetchDepth(gBufferTexture2, v_Texcoord), 1.0);
 vec4 pos = projectionInv * projectedPos;
 vec3 rayOrigin = pos.xyz / pos.w;
 vec3 V = -normalize(rayOrigin);

 float ndv = clamp(dot(N, V), 0.0, 1.0);
 float iterationCount;
 float jitter = rand(fract(v_Texcoord + jitterOffset));

#ifdef PHYSICALLY_CORRECT
 vec4 color = vec4(vec3(0.0), 1.0);
 vec4 albedoMetalness = texture2D(gBufferTexture3, v_Texcoord);
 vec3 albedo = albedoMetalness.rgb;
 float m = albedoMetalness.a;
 vec3 diffuseColor = albedo * (1.0 - m);
 vec3 spec = mix(vec3(0.04), albedo, m);

 float jitter2 = rand(fract(v_Texcoord)) * float(TOTAL_SAMPLES);

 for (int i = 0; i < SAMPLE_PER_FRAME; i++) {
 vec3 H = importanceSampleNormalGGX(float(i) + jitter2, 1.0 - g, N);
 vec3 rayDir = normalize(reflect(-V, H));
#else
 vec3 rayDir = normalize(reflect(-V, N));
#endif
 vec2 hitPixel;
 vec3 hitPoint;

 bool intersect = traceScreenSpaceRay(rayOrigin, rayDir, jitter, hitPixel, hitPoint, iterationCount);

 float dist = distance(rayOrigin, hitPoint);

 vec3 hitNormal = texture2D(gBufferTexture1, hitPixel).rgb * 2.0 - 1.0;
 hitNormal = normalize((toViewSpace * vec4(hitNormal, 0.0)).xyz);
#ifdef PHYSICALLY_CORRECT
 float ndl = clamp(dot(N, rayDir), 0.0, 1.0);
 float vdh = clamp(dot(V, H), 0.0, 1.0);
 float ndh = clamp(dot(N, H), 0.0, 1.0);
 vec3 litTexel = vec3(0.0);
 if (dot(hitNormal, rayDir) < 0.0 && intersect) {
 litTexel = texture2D(sourceTexture, hitPixel).rgb;
 litTexel *= pow(clamp(1.0 - dist / 200.0, 0.0, 1.0), 3.0);

 }
 else {
 #ifdef SPECULARCUBEMAP_ENABLED
 vec3 rayDirW = normalize(toWorldSpace * vec4(rayDir, 0.0)).rgb;
 litTexel = RGBMDecode(textureCubeLodEXT(specularCubemap, rayDirW, 0.0), 8.12).rgb * specularIntensity;
#endif
 }
 color.rgb += ndl * litTexel * (
 F_Schlick(ndl, spec) * G_Smith(g, ndv, ndl) * vdh / (ndh * ndv + 0.001)
 );
 }
 color.rgb /= float(SAMPLE_PER_FRAME);
#else
 #if !defined(SPECULARCUBEMAP_ENABLED)
 if (dot(hitNormal, rayDir) >= 0.0) {
 discard;
 }
 if (!intersect) {
 discard;
 }
#endif
 float alpha = clamp(calculateAlpha(iterationCount, reflectivity, hitPixel, hitPoint, dist, rayDir), 0.0, 1.0);
 vec4 color = texture2D(sourceTexture, hitPixel);
 color.rgb *= alpha;

#ifdef SPECULARCUBEMAP_ENABLED
 vec3 rayDirW = normalize(toWorldSpace * vec4(rayDir, 0.0)).rgb;
 alpha = alpha * (intersect ? 1.0 : 0.0);
 float bias = (1.0 -g) * 5.0;
 color.rgb += (1.0 - alpha)
 * RGBMDecode(textureCubeLodEXT(specularCubemap, rayDirW, bias), 8.12).rgb
 * specularIntensity;
#endif

#endif

 gl_FragColor = encodeHDR(color);
}
@end

@export ecgl.ssr.blur

uniform sampler2D texture;
uniform sampler2D gBufferTexture1;
uniform sampler2D gBufferTexture2;
uniform mat4 projection;
uniform float depthRange : 0.05;

varying vec2 v_Texcoord;

uniform vec2 textureSize;
uniform float blurSize : 1.0;

#ifdef BLEND
 #ifdef SSAOTEX_ENABLED
uniform sampler2D ssaoTex;
 #endif
uniform sampler2D sourceTexture;
#endif

float getLinearDepth(vec2 coord)
{
 float depth = texture2D(gBufferTexture2, coord).r * 2.0 - 1.0;
 return projection[3][2] / (depth * projection[2][3] - projection[2][2]);
}

@import clay.util.rgbm


void main()
{
 @import clay.compositor.kernel.gaussian_9

 vec4 centerNTexel = texture2D(gBufferTexture1, v_Texcoord);
 float g = centerNTexel.a;
 float maxBlurSize = clamp(1.0 - g, 0.0, 1.0) * blurSize;
#ifdef VERTICAL
 vec2 off = vec2(0.0, maxBlurSize / textureSize.y);
#else
 vec2 off = vec2(maxBlurSize / textureSize.x, 0.0);
#endif

 vec2 coord = v_Texcoord;

 vec4 sum = vec4(0.0);
 float weightAll = 0.0;

 vec3 cN = centerNTexel.rgb * 2.0 - 1.0;
 float cD = getLinearDepth(v_Texcoord);
 for (int i = 0; i < 9; i++) {
 vec2 coord = clamp((float(i) - 4.0) * off + v_Texcoord, vec2(0.0), vec2(1.0));
 float w = gaussianKernel[i]
 * clamp(dot(cN, texture2D(gBufferTexture1, coord).rgb * 2.0 - 1.0), 0.0, 1.0);
 float d = getLinearDepth(coord);
 w *= (1.0 - smoothstep(abs(cD - d) / depthRange, 0.0, 1.0));

 weightAll += w;
 sum += decodeHDR(texture2D(texture, coord)) * w;
 }

#ifdef BLEND
 float aoFactor = 1.0;
 #ifdef SSAOTEX_ENABLED
 aoFactor = texture2D(ssaoTex, v_Texcoord).r;
 #endif
 gl_FragColor = encodeHDR(
 sum / weightAll * aoFactor + decodeHDR(texture2D(sourceTexture, v_Texcoord))
 );
#else
 gl_FragColor = encodeHDR(sum / weightAll);
#endif
}

@end`;N.import(bf);function Pt(e){e=e||{},this._ssrPass=new Ae({fragment:N.source("ecgl.ssr.main"),clearColor:[0,0,0,0]}),this._blurPass1=new Ae({fragment:N.source("ecgl.ssr.blur"),clearColor:[0,0,0,0]}),this._blurPass2=new Ae({fragment:N.source("ecgl.ssr.blur"),clearColor:[0,0,0,0]}),this._blendPass=new Ae({fragment:N.source("clay.compositor.blend")}),this._blendPass.material.disableTexturesAll(),this._blendPass.material.enableTexture(["texture1","texture2"]),this._ssrPass.setUniform("gBufferTexture1",e.normalTexture),this._ssrPass.setUniform("gBufferTexture2",e.depthTexture),this._blurPass1.setUniform("gBufferTexture1",e.normalTexture),this._blurPass1.setUniform("gBufferTexture2",e.depthTexture),this._blurPass2.setUniform("gBufferTexture1",e.normalTexture),this._blurPass2.setUniform("gBufferTexture2",e.depthTexture),this._blurPass2.material.define("fragment","VERTICAL"),this._blurPass2.material.define("fragment","BLEND"),this._ssrTexture=new X({type:I.HALF_FLOAT}),this._texture2=new X({type:I.HALF_FLOAT}),this._texture3=new X({type:I.HALF_FLOAT}),this._prevTexture=new X({type:I.HALF_FLOAT}),this._currentTexture=new X({type:I.HALF_FLOAT}),this._frameBuffer=new ue({depthBuffer:!1}),this._normalDistribution=null,this._totalSamples=256,this._samplePerFrame=4,this._ssrPass.material.define("fragment","SAMPLE_PER_FRAME",this._samplePerFrame),this._ssrPass.material.define("fragment","TOTAL_SAMPLES",this._totalSamples),this._downScale=1}Pt.prototype.setAmbientCubemap=function(e,t){this._ssrPass.material.set("specularCubemap",e),this._ssrPass.material.set("specularIntensity",t);var r=e&&t;this._ssrPass.material[r?"enableTexture":"disableTexture"]("specularCubemap")};Pt.prototype.update=function(e,t,r,i){var n=e.getWidth(),a=e.getHeight(),o=this._ssrTexture,s=this._texture2,f=this._texture3;o.width=this._prevTexture.width=this._currentTexture.width=n/this._downScale,o.height=this._prevTexture.height=this._currentTexture.height=a/this._downScale,s.width=f.width=n,s.height=f.height=a;var l=this._frameBuffer,u=this._ssrPass,c=this._blurPass1,d=this._blurPass2,h=this._blendPass,m=new O,p=new O;O.transpose(m,t.worldTransform),O.transpose(p,t.viewMatrix),u.setUniform("sourceTexture",r),u.setUniform("projection",t.projectionMatrix.array),u.setUniform("projectionInv",t.invProjectionMatrix.array),u.setUniform("toViewSpace",m.array),u.setUniform("toWorldSpace",p.array),u.setUniform("nearZ",t.near);var v=i/this._totalSamples*this._samplePerFrame;if(u.setUniform("jitterOffset",v),u.setUniform("sampleOffset",i*this._samplePerFrame),c.setUniform("textureSize",[o.width,o.height]),d.setUniform("textureSize",[n,a]),d.setUniform("sourceTexture",r),c.setUniform("projection",t.projectionMatrix.array),d.setUniform("projection",t.projectionMatrix.array),l.attach(o),l.bind(e),u.render(e),this._physicallyCorrect&&(l.attach(this._currentTexture),h.setUniform("texture1",this._prevTexture),h.setUniform("texture2",o),h.material.set({weight1:i>=1?.95:0,weight2:i>=1?.05:1}),h.render(e)),l.attach(s),c.setUniform("texture",this._physicallyCorrect?this._currentTexture:o),c.render(e),l.attach(f),d.setUniform("texture",s),d.render(e),l.unbind(e),this._physicallyCorrect){var _=this._prevTexture;this._prevTexture=this._currentTexture,this._currentTexture=_}};Pt.prototype.getTargetTexture=function(){return this._texture3};Pt.prototype.setParameter=function(e,t){e==="maxIteration"?this._ssrPass.material.define("fragment","MAX_ITERATION",t):this._ssrPass.setUniform(e,t)};Pt.prototype.setPhysicallyCorrect=function(e){e?(this._normalDistribution||(this._normalDistribution=Cr.generateNormalDistribution(64,this._totalSamples)),this._ssrPass.material.define("fragment","PHYSICALLY_CORRECT"),this._ssrPass.material.set("normalDistribution",this._normalDistribution),this._ssrPass.material.set("normalDistributionSize",[64,this._totalSamples])):this._ssrPass.material.undefine("fragment","PHYSICALLY_CORRECT"),this._physicallyCorrect=e};Pt.prototype.setSSAOTexture=function(e){var t=this._blurPass2;e?(t.material.enableTexture("ssaoTex"),t.material.set("ssaoTex",e)):t.material.disableTexture("ssaoTex")};Pt.prototype.isFinished=function(e){return this._physicallyCorrect?e>this._totalSamples/this._samplePerFrame:!0};Pt.prototype.dispose=function(e){this._ssrTexture.dispose(e),this._texture2.dispose(e),this._texture3.dispose(e),this._prevTexture.dispose(e),this._currentTexture.dispose(e),this._frameBuffer.dispose(e)};var Cf=Pt;var ha=[0,0,-.321585265978,-.154972575841,.458126042375,.188473391593,.842080129861,.527766490688,.147304551086,-.659453822776,-.331943915203,-.940619700594,.0479226680259,.54812163202,.701581552186,-.709825561388,-.295436780218,.940589268233,-.901489676764,.237713156085,.973570876096,-.109899459384,-.866792314779,-.451805525005,.330975007087,.800048655954,-.344275183665,.381779221166,-.386139432542,-.437418421534,-.576478634965,-.0148463392551,.385798197415,-.262426961053,-.666302061145,.682427250835,-.628010632582,-.732836215494,.10163141741,-.987658134403,.711995289051,-.320024291314,.0296005138058,.950296523438,.0130612307608,-.351024443122,-.879596633704,-.10478487883,.435712737232,.504254490347,.779203817497,.206477676721,.388264289969,-.896736162545,-.153106280781,-.629203242522,-.245517550697,.657969239148,.126830499058,.26862328493,-.634888119007,-.302301223431,.617074219636,.779817204925];var Lf=`@export ecgl.normal.vertex

@import ecgl.common.transformUniforms

@import ecgl.common.uv.header

@import ecgl.common.attributes

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

@import ecgl.common.normalMap.vertexHeader

@import ecgl.common.vertexAnimation.header

void main()
{

 @import ecgl.common.vertexAnimation.main

 @import ecgl.common.uv.main

 v_Normal = normalize((worldInverseTranspose * vec4(normal, 0.0)).xyz);
 v_WorldPosition = (world * vec4(pos, 1.0)).xyz;

 @import ecgl.common.normalMap.vertexMain

 gl_Position = worldViewProjection * vec4(pos, 1.0);

}


@end


@export ecgl.normal.fragment

#define ROUGHNESS_CHANEL 0

uniform bool useBumpMap;
uniform bool useRoughnessMap;
uniform bool doubleSide;
uniform float roughness;

@import ecgl.common.uv.fragmentHeader

varying vec3 v_Normal;
varying vec3 v_WorldPosition;

uniform mat4 viewInverse : VIEWINVERSE;

@import ecgl.common.normalMap.fragmentHeader
@import ecgl.common.bumpMap.header

uniform sampler2D roughnessMap;

void main()
{
 vec3 N = v_Normal;
 
 bool flipNormal = false;
 if (doubleSide) {
 vec3 eyePos = viewInverse[3].xyz;
 vec3 V = normalize(eyePos - v_WorldPosition);

 if (dot(N, V) < 0.0) {
 flipNormal = true;
 }
 }

 @import ecgl.common.normalMap.fragmentMain

 if (useBumpMap) {
 N = bumpNormal(v_WorldPosition, v_Normal, N);
 }

 float g = 1.0 - roughness;

 if (useRoughnessMap) {
 float g2 = 1.0 - texture2D(roughnessMap, v_DetailTexcoord)[ROUGHNESS_CHANEL];
 g = clamp(g2 + (g - 0.5) * 2.0, 0.0, 1.0);
 }

 if (flipNormal) {
 N = -N;
 }

 gl_FragColor.rgb = (N.xyz + 1.0) * 0.5;
 gl_FragColor.a = g;
}
@end`;N.import(Lf);function da(e,t,r,i,n){var a=e.gl;t.setUniform(a,"1i",r,n),a.activeTexture(a.TEXTURE0+n),i.isRenderable()?i.bind(e):i.unbind(e)}function kh(e,t,r,i,n){var a,o,s,f,l=e.gl;return function(u,c,d){if(!(f&&f.material===u.material)){var h=u.material,m=u.__program,p=h.get("roughness");p==null&&(p=1);var v=h.get("normalMap")||t,_=h.get("roughnessMap"),x=h.get("bumpMap"),T=h.get("uvRepeat"),g=h.get("uvOffset"),E=h.get("detailUvRepeat"),A=h.get("detailUvOffset"),R=!!x&&h.isTextureEnabled("bumpMap"),w=!!_&&h.isTextureEnabled("roughnessMap"),D=h.isDefined("fragment","DOUBLE_SIDED");x=x||r,_=_||i,d!==c?(c.set("normalMap",v),c.set("bumpMap",x),c.set("roughnessMap",_),c.set("useBumpMap",R),c.set("useRoughnessMap",w),c.set("doubleSide",D),T!=null&&c.set("uvRepeat",T),g!=null&&c.set("uvOffset",g),E!=null&&c.set("detailUvRepeat",E),A!=null&&c.set("detailUvOffset",A),c.set("roughness",p)):(m.setUniform(l,"1f","roughness",p),a!==v&&da(e,m,"normalMap",v,0),o!==x&&x&&da(e,m,"bumpMap",x,1),s!==_&&_&&da(e,m,"roughnessMap",_,2),T!=null&&m.setUniform(l,"2f","uvRepeat",T),g!=null&&m.setUniform(l,"2f","uvOffset",g),E!=null&&m.setUniform(l,"2f","detailUvRepeat",E),A!=null&&m.setUniform(l,"2f","detailUvOffset",A),m.setUniform(l,"1i","useBumpMap",+R),m.setUniform(l,"1i","useRoughnessMap",+w),m.setUniform(l,"1i","doubleSide",+D)),a=v,o=x,s=_,f=u}}}function Lr(e){e=e||{},this._depthTex=new X({format:I.DEPTH_COMPONENT,type:I.UNSIGNED_INT}),this._normalTex=new X({type:I.HALF_FLOAT}),this._framebuffer=new ue,this._framebuffer.attach(this._normalTex),this._framebuffer.attach(this._depthTex,ue.DEPTH_ATTACHMENT),this._normalMaterial=new He({shader:new N(N.source("ecgl.normal.vertex"),N.source("ecgl.normal.fragment"))}),this._normalMaterial.enableTexture(["normalMap","bumpMap","roughnessMap"]),this._defaultNormalMap=xt.createBlank("#000"),this._defaultBumpMap=xt.createBlank("#000"),this._defaultRoughessMap=xt.createBlank("#000"),this._debugPass=new Ae({fragment:N.source("clay.compositor.output")}),this._debugPass.setUniform("texture",this._normalTex),this._debugPass.material.undefine("fragment","OUTPUT_ALPHA")}Lr.prototype.getDepthTexture=function(){return this._depthTex};Lr.prototype.getNormalTexture=function(){return this._normalTex};Lr.prototype.update=function(e,t,r){var i=e.getWidth(),n=e.getHeight(),a=this._depthTex,o=this._normalTex,s=this._normalMaterial;a.width=i,a.height=n,o.width=i,o.height=n;var f=t.getRenderList(r).opaque;this._framebuffer.bind(e),e.gl.clearColor(0,0,0,0),e.gl.clear(e.gl.COLOR_BUFFER_BIT|e.gl.DEPTH_BUFFER_BIT),e.gl.disable(e.gl.BLEND),e.renderPass(f,r,{getMaterial:function(){return s},ifRender:function(l){return l.renderNormal},beforeRender:kh(e,this._defaultNormalMap,this._defaultBumpMap,this._defaultRoughessMap,this._normalMaterial),sort:e.opaqueSortCompare}),this._framebuffer.unbind(e)};Lr.prototype.renderDebug=function(e){this._debugPass.render(e)};Lr.prototype.dispose=function(e){this._depthTex.dispose(e),this._normalTex.dispose(e)};var Rf=Lr;function ri(e){e=e||{},this._edgePass=new Ae({fragment:N.source("ecgl.edge")}),this._edgePass.setUniform("normalTexture",e.normalTexture),this._edgePass.setUniform("depthTexture",e.depthTexture),this._targetTexture=new X({type:I.HALF_FLOAT}),this._frameBuffer=new ue,this._frameBuffer.attach(this._targetTexture)}ri.prototype.update=function(e,t,r,i){var n=e.getWidth(),a=e.getHeight(),o=this._targetTexture;o.width=n,o.height=a;var s=this._frameBuffer;s.bind(e),this._edgePass.setUniform("projectionInv",t.invProjectionMatrix.array),this._edgePass.setUniform("textureSize",[n,a]),this._edgePass.setUniform("texture",r),this._edgePass.render(e),s.unbind(e)};ri.prototype.getTargetTexture=function(){return this._targetTexture};ri.prototype.setParameter=function(e,t){this._edgePass.setUniform(e,t)};ri.prototype.dispose=function(e){this._targetTexture.dispose(e),this._frameBuffer.dispose(e)};var Df=ri;var Mf={type:"compositor",nodes:[{name:"source",type:"texture",outputs:{color:{}}},{name:"source_half",shader:"#source(clay.compositor.downsample)",inputs:{texture:"source"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 2)",height:"expr(height * 1.0 / 2)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0, height * 1.0] )"}},{name:"bright",shader:"#source(clay.compositor.bright)",inputs:{texture:"source_half"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 2)",height:"expr(height * 1.0 / 2)",type:"HALF_FLOAT"}}},parameters:{threshold:2,scale:4,textureSize:"expr([width * 1.0 / 2, height / 2])"}},{name:"bright_downsample_4",shader:"#source(clay.compositor.downsample)",inputs:{texture:"bright"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 4)",height:"expr(height * 1.0 / 4)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0 / 2, height / 2] )"}},{name:"bright_downsample_8",shader:"#source(clay.compositor.downsample)",inputs:{texture:"bright_downsample_4"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 8)",height:"expr(height * 1.0 / 8)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0 / 4, height / 4] )"}},{name:"bright_downsample_16",shader:"#source(clay.compositor.downsample)",inputs:{texture:"bright_downsample_8"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 16)",height:"expr(height * 1.0 / 16)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0 / 8, height / 8] )"}},{name:"bright_downsample_32",shader:"#source(clay.compositor.downsample)",inputs:{texture:"bright_downsample_16"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 32)",height:"expr(height * 1.0 / 32)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0 / 16, height / 16] )"}},{name:"bright_upsample_16_blur_h",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_downsample_32"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 16)",height:"expr(height * 1.0 / 16)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:0,textureSize:"expr( [width * 1.0 / 32, height / 32] )"}},{name:"bright_upsample_16_blur_v",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_upsample_16_blur_h"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 16)",height:"expr(height * 1.0 / 16)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:1,textureSize:"expr( [width * 1.0 / 16, height * 1.0 / 16] )"}},{name:"bright_upsample_8_blur_h",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_downsample_16"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 8)",height:"expr(height * 1.0 / 8)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:0,textureSize:"expr( [width * 1.0 / 16, height * 1.0 / 16] )"}},{name:"bright_upsample_8_blur_v",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_upsample_8_blur_h"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 8)",height:"expr(height * 1.0 / 8)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:1,textureSize:"expr( [width * 1.0 / 8, height * 1.0 / 8] )"}},{name:"bright_upsample_8_blend",shader:"#source(clay.compositor.blend)",inputs:{texture1:"bright_upsample_8_blur_v",texture2:"bright_upsample_16_blur_v"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 8)",height:"expr(height * 1.0 / 8)",type:"HALF_FLOAT"}}},parameters:{weight1:.3,weight2:.7}},{name:"bright_upsample_4_blur_h",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_downsample_8"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 4)",height:"expr(height * 1.0 / 4)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:0,textureSize:"expr( [width * 1.0 / 8, height * 1.0 / 8] )"}},{name:"bright_upsample_4_blur_v",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_upsample_4_blur_h"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 4)",height:"expr(height * 1.0 / 4)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:1,textureSize:"expr( [width * 1.0 / 4, height * 1.0 / 4] )"}},{name:"bright_upsample_4_blend",shader:"#source(clay.compositor.blend)",inputs:{texture1:"bright_upsample_4_blur_v",texture2:"bright_upsample_8_blend"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 4)",height:"expr(height * 1.0 / 4)",type:"HALF_FLOAT"}}},parameters:{weight1:.3,weight2:.7}},{name:"bright_upsample_2_blur_h",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_downsample_4"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 2)",height:"expr(height * 1.0 / 2)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:0,textureSize:"expr( [width * 1.0 / 4, height * 1.0 / 4] )"}},{name:"bright_upsample_2_blur_v",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_upsample_2_blur_h"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 2)",height:"expr(height * 1.0 / 2)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:1,textureSize:"expr( [width * 1.0 / 2, height * 1.0 / 2] )"}},{name:"bright_upsample_2_blend",shader:"#source(clay.compositor.blend)",inputs:{texture1:"bright_upsample_2_blur_v",texture2:"bright_upsample_4_blend"},outputs:{color:{parameters:{width:"expr(width * 1.0 / 2)",height:"expr(height * 1.0 / 2)",type:"HALF_FLOAT"}}},parameters:{weight1:.3,weight2:.7}},{name:"bright_upsample_full_blur_h",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:0,textureSize:"expr( [width * 1.0 / 2, height * 1.0 / 2] )"}},{name:"bright_upsample_full_blur_v",shader:"#source(clay.compositor.gaussian_blur)",inputs:{texture:"bright_upsample_full_blur_h"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}},parameters:{blurSize:1,blurDir:1,textureSize:"expr( [width * 1.0, height * 1.0] )"}},{name:"bloom_composite",shader:"#source(clay.compositor.blend)",inputs:{texture1:"bright_upsample_full_blur_v",texture2:"bright_upsample_2_blend"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}},parameters:{weight1:.3,weight2:.7}},{name:"coc",shader:"#source(ecgl.dof.coc)",outputs:{color:{parameters:{minFilter:"NEAREST",magFilter:"NEAREST",width:"expr(width * 1.0)",height:"expr(height * 1.0)"}}},parameters:{focalDist:50,focalRange:30}},{name:"dof_far_blur",shader:"#source(ecgl.dof.diskBlur)",inputs:{texture:"source",coc:"coc"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0, height * 1.0] )"}},{name:"dof_near_blur",shader:"#source(ecgl.dof.diskBlur)",inputs:{texture:"source",coc:"coc"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}},parameters:{textureSize:"expr( [width * 1.0, height * 1.0] )"},defines:{BLUR_NEARFIELD:null}},{name:"dof_coc_blur",shader:"#source(ecgl.dof.diskBlur)",inputs:{texture:"coc"},outputs:{color:{parameters:{minFilter:"NEAREST",magFilter:"NEAREST",width:"expr(width * 1.0)",height:"expr(height * 1.0)"}}},parameters:{textureSize:"expr( [width * 1.0, height * 1.0] )"},defines:{BLUR_COC:null}},{name:"dof_composite",shader:"#source(ecgl.dof.composite)",inputs:{original:"source",blurred:"dof_far_blur",nearfield:"dof_near_blur",coc:"coc",nearcoc:"dof_coc_blur"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)",type:"HALF_FLOAT"}}}},{name:"composite",shader:"#source(clay.compositor.hdr.composite)",inputs:{texture:"source",bloom:"bloom_composite"},outputs:{color:{parameters:{width:"expr(width * 1.0)",height:"expr(height * 1.0)"}}},defines:{}},{name:"FXAA",shader:"#source(clay.compositor.fxaa)",inputs:{texture:"composite"}}]};var Nf=`@export ecgl.dof.coc

uniform sampler2D depth;

uniform float zNear: 0.1;
uniform float zFar: 2000;

uniform float focalDistance: 3;
uniform float focalRange: 1;
uniform float focalLength: 30;
uniform float fstop: 2.8;

varying vec2 v_Texcoord;

@import clay.util.encode_float

void main()
{
 float z = texture2D(depth, v_Texcoord).r * 2.0 - 1.0;

 float dist = 2.0 * zNear * zFar / (zFar + zNear - z * (zFar - zNear));

 float aperture = focalLength / fstop;

 float coc;

 float uppper = focalDistance + focalRange;
 float lower = focalDistance - focalRange;
 if (dist <= uppper && dist >= lower) {
 coc = 0.5;
 }
 else {
 float focalAdjusted = dist > uppper ? uppper : lower;

 coc = abs(aperture * (focalLength * (dist - focalAdjusted)) / (dist * (focalAdjusted - focalLength)));
 coc = clamp(coc, 0.0, 2.0) / 2.00001;

 if (dist < lower) {
 coc = -coc;
 }
 coc = coc * 0.5 + 0.5;
 }

 gl_FragColor = encodeFloat(coc);
}
@end


@export ecgl.dof.composite

#define DEBUG 0

uniform sampler2D original;
uniform sampler2D blurred;
uniform sampler2D nearfield;
uniform sampler2D coc;
uniform sampler2D nearcoc;
varying vec2 v_Texcoord;

@import clay.util.rgbm
@import clay.util.float

void main()
{
 vec4 blurredColor = texture2D(blurred, v_Texcoord);
 vec4 originalColor = texture2D(original, v_Texcoord);

 float fCoc = decodeFloat(texture2D(coc, v_Texcoord));

 fCoc = abs(fCoc * 2.0 - 1.0);

 float weight = smoothstep(0.0, 1.0, fCoc);
 
#ifdef NEARFIELD_ENABLED
 vec4 nearfieldColor = texture2D(nearfield, v_Texcoord);
 float fNearCoc = decodeFloat(texture2D(nearcoc, v_Texcoord));
 fNearCoc = abs(fNearCoc * 2.0 - 1.0);

 gl_FragColor = encodeHDR(
 mix(
 nearfieldColor, mix(originalColor, blurredColor, weight),
 pow(1.0 - fNearCoc, 4.0)
 )
 );
#else
 gl_FragColor = encodeHDR(mix(originalColor, blurredColor, weight));
#endif

}

@end



@export ecgl.dof.diskBlur

#define POISSON_KERNEL_SIZE 16;

uniform sampler2D texture;
uniform sampler2D coc;
varying vec2 v_Texcoord;

uniform float blurRadius : 10.0;
uniform vec2 textureSize : [512.0, 512.0];

uniform vec2 poissonKernel[POISSON_KERNEL_SIZE];

uniform float percent;

float nrand(const in vec2 n) {
 return fract(sin(dot(n.xy ,vec2(12.9898,78.233))) * 43758.5453);
}

@import clay.util.rgbm
@import clay.util.float


void main()
{
 vec2 offset = blurRadius / textureSize;

 float rnd = 6.28318 * nrand(v_Texcoord + 0.07 * percent );
 float cosa = cos(rnd);
 float sina = sin(rnd);
 vec4 basis = vec4(cosa, -sina, sina, cosa);

#if !defined(BLUR_NEARFIELD) && !defined(BLUR_COC)
 offset *= abs(decodeFloat(texture2D(coc, v_Texcoord)) * 2.0 - 1.0);
#endif

#ifdef BLUR_COC
 float cocSum = 0.0;
#else
 vec4 color = vec4(0.0);
#endif


 float weightSum = 0.0;

 for (int i = 0; i < POISSON_KERNEL_SIZE; i++) {
 vec2 ofs = poissonKernel[i];

 ofs = vec2(dot(ofs, basis.xy), dot(ofs, basis.zw));

 vec2 uv = v_Texcoord + ofs * offset;
 vec4 texel = texture2D(texture, uv);

 float w = 1.0;
#ifdef BLUR_COC
 float fCoc = decodeFloat(texel) * 2.0 - 1.0;
 cocSum += clamp(fCoc, -1.0, 0.0) * w;
#else
 texel = texel;
 #if !defined(BLUR_NEARFIELD)
 float fCoc = decodeFloat(texture2D(coc, uv)) * 2.0 - 1.0;
 w *= abs(fCoc);
 #endif
 texel.rgb *= texel.a;
 color += texel * w;
#endif

 weightSum += w;
 }

#ifdef BLUR_COC
 gl_FragColor = encodeFloat(clamp(cocSum / weightSum, -1.0, 0.0) * 0.5 + 0.5);
#else
 color /= weightSum;
 color.rgb /= (color.a + 0.0001);
 gl_FragColor = color;
#endif
}

@end`;var Pf=`@export ecgl.edge

uniform sampler2D texture;

uniform sampler2D normalTexture;
uniform sampler2D depthTexture;

uniform mat4 projectionInv;

uniform vec2 textureSize;

uniform vec4 edgeColor: [0,0,0,0.8];

varying vec2 v_Texcoord;

vec3 packColor(vec2 coord) {
 float z = texture2D(depthTexture, coord).r * 2.0 - 1.0;
 vec4 p = vec4(v_Texcoord * 2.0 - 1.0, z, 1.0);
 vec4 p4 = projectionInv * p;

 return vec3(
 texture2D(normalTexture, coord).rg,
 -p4.z / p4.w / 5.0
 );
}

void main() {
 vec2 cc = v_Texcoord;
 vec3 center = packColor(cc);

 float size = clamp(1.0 - (center.z - 10.0) / 100.0, 0.0, 1.0) * 0.5;
 float dx = size / textureSize.x;
 float dy = size / textureSize.y;

 vec2 coord;
 vec3 topLeft = packColor(cc+vec2(-dx, -dy));
 vec3 top = packColor(cc+vec2(0.0, -dy));
 vec3 topRight = packColor(cc+vec2(dx, -dy));
 vec3 left = packColor(cc+vec2(-dx, 0.0));
 vec3 right = packColor(cc+vec2(dx, 0.0));
 vec3 bottomLeft = packColor(cc+vec2(-dx, dy));
 vec3 bottom = packColor(cc+vec2(0.0, dy));
 vec3 bottomRight = packColor(cc+vec2(dx, dy));

 vec3 v = -topLeft-2.0*top-topRight+bottomLeft+2.0*bottom+bottomRight;
 vec3 h = -bottomLeft-2.0*left-topLeft+bottomRight+2.0*right+topRight;

 float edge = sqrt(dot(h, h) + dot(v, v));

 edge = smoothstep(0.8, 1.0, edge);

 gl_FragColor = mix(texture2D(texture, v_Texcoord), vec4(edgeColor.rgb, 1.0), edgeColor.a * edge);
}
@end`;N.import(ki);N.import(Wi);N.import(Xi);N.import(ji);N.import(Yi);N.import(qi);N.import(Zi);N.import(Ki);N.import(Qi);N.import(Nf);N.import(Pf);function Of(e,t){return{color:{parameters:{width:e,height:t}}}}var ma=["composite","FXAA"];function J(){this._width,this._height,this._dpr,this._sourceTexture=new X({type:I.HALF_FLOAT}),this._depthTexture=new X({format:I.DEPTH_COMPONENT,type:I.UNSIGNED_INT}),this._framebuffer=new ue,this._framebuffer.attach(this._sourceTexture),this._framebuffer.attach(this._depthTexture,ue.DEPTH_ATTACHMENT),this._normalPass=new Rf,this._compositor=Tf(Mf);var e=this._compositor.getNodeByName("source");e.texture=this._sourceTexture;var t=this._compositor.getNodeByName("coc");this._sourceNode=e,this._cocNode=t,this._compositeNode=this._compositor.getNodeByName("composite"),this._fxaaNode=this._compositor.getNodeByName("FXAA"),this._dofBlurNodes=["dof_far_blur","dof_near_blur","dof_coc_blur"].map(function(i){return this._compositor.getNodeByName(i)},this),this._dofBlurKernel=0,this._dofBlurKernelSize=new Float32Array(0),this._finalNodesChain=ma.map(function(i){return this._compositor.getNodeByName(i)},this);var r={normalTexture:this._normalPass.getNormalTexture(),depthTexture:this._normalPass.getDepthTexture()};this._ssaoPass=new wf(r),this._ssrPass=new Cf(r),this._edgePass=new Df(r)}J.prototype.resize=function(i,n,r){r=r||1;var i=i*r,n=n*r,a=this._sourceTexture,o=this._depthTexture;a.width=i,a.height=n,o.width=i,o.height=n;var s={getWidth:function(){return i},getHeight:function(){return n},getDevicePixelRatio:function(){return r}};function f(l,u){if(typeof l[u]=="function"){var c=l[u].__original||l[u];l[u]=function(d){return c.call(this,s)},l[u].__original=c}}this._compositor.nodes.forEach(function(l){for(var u in l.outputs){var c=l.outputs[u].parameters;c&&(f(c,"width"),f(c,"height"))}for(var d in l.parameters)f(l.parameters,d)}),this._width=i,this._height=n,this._dpr=r};J.prototype.getWidth=function(){return this._width};J.prototype.getHeight=function(){return this._height};J.prototype._ifRenderNormalPass=function(){return this._enableSSAO||this._enableEdge||this._enableSSR};J.prototype._getPrevNode=function(e){for(var t=ma.indexOf(e.name)-1,r=this._finalNodesChain[t];r&&!this._compositor.getNodeByName(r.name);)t-=1,r=this._finalNodesChain[t];return r};J.prototype._getNextNode=function(e){for(var t=ma.indexOf(e.name)+1,r=this._finalNodesChain[t];r&&!this._compositor.getNodeByName(r.name);)t+=1,r=this._finalNodesChain[t];return r};J.prototype._addChainNode=function(e){var t=this._getPrevNode(e),r=this._getNextNode(e);t&&(e.inputs.texture=t.name,r?(e.outputs=Of(this.getWidth.bind(this),this.getHeight.bind(this)),r.inputs.texture=e.name):e.outputs=null,this._compositor.addNode(e))};J.prototype._removeChainNode=function(e){var t=this._getPrevNode(e),r=this._getNextNode(e);t&&(r?(t.outputs=Of(this.getWidth.bind(this),this.getHeight.bind(this)),r.inputs.texture=t.name):t.outputs=null,this._compositor.removeNode(e))};J.prototype.updateNormal=function(e,t,r,i){this._ifRenderNormalPass()&&this._normalPass.update(e,t,r)};J.prototype.updateSSAO=function(e,t,r,i){this._ssaoPass.update(e,r,i)};J.prototype.enableSSAO=function(){this._enableSSAO=!0};J.prototype.disableSSAO=function(){this._enableSSAO=!1};J.prototype.enableSSR=function(){this._enableSSR=!0};J.prototype.disableSSR=function(){this._enableSSR=!1};J.prototype.getSSAOTexture=function(){return this._ssaoPass.getTargetTexture()};J.prototype.getSourceFrameBuffer=function(){return this._framebuffer};J.prototype.getSourceTexture=function(){return this._sourceTexture};J.prototype.disableFXAA=function(){this._removeChainNode(this._fxaaNode)};J.prototype.enableFXAA=function(){this._addChainNode(this._fxaaNode)};J.prototype.enableBloom=function(){this._compositeNode.inputs.bloom="bloom_composite",this._compositor.dirty()};J.prototype.disableBloom=function(){this._compositeNode.inputs.bloom=null,this._compositor.dirty()};J.prototype.enableDOF=function(){this._compositeNode.inputs.texture="dof_composite",this._compositor.dirty()};J.prototype.disableDOF=function(){this._compositeNode.inputs.texture="source",this._compositor.dirty()};J.prototype.enableColorCorrection=function(){this._compositeNode.define("COLOR_CORRECTION"),this._enableColorCorrection=!0};J.prototype.disableColorCorrection=function(){this._compositeNode.undefine("COLOR_CORRECTION"),this._enableColorCorrection=!1};J.prototype.enableEdge=function(){this._enableEdge=!0};J.prototype.disableEdge=function(){this._enableEdge=!1};J.prototype.setBloomIntensity=function(e){this._compositeNode.setParameter("bloomIntensity",e)};J.prototype.setSSAOParameter=function(e,t){switch(e){case"quality":var r={low:6,medium:12,high:32,ultra:62}[t]||12;this._ssaoPass.setParameter("kernelSize",r);break;case"radius":this._ssaoPass.setParameter(e,t),this._ssaoPass.setParameter("bias",t/200);break;case"intensity":this._ssaoPass.setParameter(e,t);break;default:}};J.prototype.setDOFParameter=function(e,t){switch(e){case"focalDistance":case"focalRange":case"fstop":this._cocNode.setParameter(e,t);break;case"blurRadius":for(var r=0;r<this._dofBlurNodes.length;r++)this._dofBlurNodes[r].setParameter("blurRadius",t);break;case"quality":var i={low:4,medium:8,high:16,ultra:32}[t]||8;this._dofBlurKernelSize=i;for(var r=0;r<this._dofBlurNodes.length;r++)this._dofBlurNodes[r].pass.material.define("POISSON_KERNEL_SIZE",i);this._dofBlurKernel=new Float32Array(i*2);break;default:}};J.prototype.setSSRParameter=function(e,t){if(t!=null)switch(e){case"quality":var r={low:10,medium:15,high:30,ultra:80}[t]||20,i={low:32,medium:16,high:8,ultra:4}[t]||16;this._ssrPass.setParameter("maxIteration",r),this._ssrPass.setParameter("pixelStride",i);break;case"maxRoughness":this._ssrPass.setParameter("minGlossiness",Math.max(Math.min(1-t,1),0));break;case"physical":this.setPhysicallyCorrectSSR(t);break;default:console.warn("Unkown SSR parameter "+e)}};J.prototype.setPhysicallyCorrectSSR=function(e){this._ssrPass.setPhysicallyCorrect(e)};J.prototype.setEdgeColor=function(e){var t=b.parseColor(e);this._edgePass.setParameter("edgeColor",t)};J.prototype.setExposure=function(e){this._compositeNode.setParameter("exposure",Math.pow(2,e))};J.prototype.setColorLookupTexture=function(e,t){this._compositeNode.pass.material.setTextureImage("lut",this._enableColorCorrection?e:"none",t,{minFilter:b.Texture.NEAREST,magFilter:b.Texture.NEAREST,flipY:!1})};J.prototype.setColorCorrection=function(e,t){this._compositeNode.setParameter(e,t)};J.prototype.isSSREnabled=function(){return this._enableSSR};J.prototype.composite=function(e,t,r,i,n){var a=this._sourceTexture,o=a;this._enableEdge&&(this._edgePass.update(e,r,a,n),a=o=this._edgePass.getTargetTexture()),this._enableSSR&&(this._ssrPass.update(e,r,a,n),o=this._ssrPass.getTargetTexture(),this._ssrPass.setSSAOTexture(this._enableSSAO?this._ssaoPass.getTargetTexture():null)),this._sourceNode.texture=o,this._cocNode.setParameter("depth",this._depthTexture);for(var s=this._dofBlurKernel,f=this._dofBlurKernelSize,l=Math.floor(ha.length/2/f),u=n%l,c=0;c<f*2;c++)s[c]=ha[c+u*f*2];for(var c=0;c<this._dofBlurNodes.length;c++)this._dofBlurNodes[c].setParameter("percent",n/30),this._dofBlurNodes[c].setParameter("poissonKernel",s);this._cocNode.setParameter("zNear",r.near),this._cocNode.setParameter("zFar",r.far),this._compositor.render(e,i)};J.prototype.dispose=function(e){this._sourceTexture.dispose(e),this._depthTexture.dispose(e),this._framebuffer.dispose(e),this._compositor.dispose(e),this._normalPass.dispose(e),this._ssaoPass.dispose(e)};var If=J;function pa(e){for(var t=[],r=0;r<30;r++)t.push([Mt(r,2),Mt(r,3)]);this._haltonSequence=t,this._frame=0,this._sourceTex=new X,this._sourceFb=new ue,this._sourceFb.attach(this._sourceTex),this._prevFrameTex=new X,this._outputTex=new X;var i=this._blendPass=new Ae({fragment:N.source("clay.compositor.blend")});i.material.disableTexturesAll(),i.material.enableTexture(["texture1","texture2"]),this._blendFb=new ue({depthBuffer:!1}),this._outputPass=new Ae({fragment:N.source("clay.compositor.output"),blendWithPrevious:!0}),this._outputPass.material.define("fragment","OUTPUT_ALPHA"),this._outputPass.material.blend=function(n){n.blendEquationSeparate(n.FUNC_ADD,n.FUNC_ADD),n.blendFuncSeparate(n.ONE,n.ONE_MINUS_SRC_ALPHA,n.ONE,n.ONE_MINUS_SRC_ALPHA)}}pa.prototype={constructor:pa,jitterProjection:function(e,t){var r=e.viewport,i=r.devicePixelRatio||e.getDevicePixelRatio(),n=r.width*i,a=r.height*i,o=this._haltonSequence[this._frame%this._haltonSequence.length],s=new O;s.array[12]=(o[0]*2-1)/n,s.array[13]=(o[1]*2-1)/a,O.mul(t.projectionMatrix,s,t.projectionMatrix),O.invert(t.invProjectionMatrix,t.projectionMatrix)},resetFrame:function(){this._frame=0},getFrame:function(){return this._frame},getSourceFrameBuffer:function(){return this._sourceFb},getOutputTexture:function(){return this._outputTex},resize:function(e,t){this._prevFrameTex.width=e,this._prevFrameTex.height=t,this._outputTex.width=e,this._outputTex.height=t,this._sourceTex.width=e,this._sourceTex.height=t,this._prevFrameTex.dirty(),this._outputTex.dirty(),this._sourceTex.dirty()},isFinished:function(){return this._frame>=this._haltonSequence.length},render:function(e,t,r){var i=this._blendPass;this._frame===0?(i.setUniform("weight1",0),i.setUniform("weight2",1)):(i.setUniform("weight1",.9),i.setUniform("weight2",.1)),i.setUniform("texture1",this._prevFrameTex),i.setUniform("texture2",t||this._sourceTex),this._blendFb.attach(this._outputTex),this._blendFb.bind(e),i.render(e),this._blendFb.unbind(e),r||(this._outputPass.setUniform("texture",this._outputTex),this._outputPass.render(e));var n=this._prevFrameTex;this._prevFrameTex=this._outputTex,this._outputTex=n,this._frame++},dispose:function(e){this._sourceFb.dispose(e),this._blendFb.dispose(e),this._prevFrameTex.dispose(e),this._outputTex.dispose(e),this._sourceTex.dispose(e),this._outputPass.dispose(e),this._blendPass.dispose(e)}};var Bf=pa;function ge(e){e=e||"perspective",this.layer=null,this.scene=new et,this.rootNode=this.scene,this.viewport={x:0,y:0,width:0,height:0},this.setProjection(e),this._compositor=new If,this._temporalSS=new Bf,this._shadowMapPass=new lf;for(var t=[],r=0,i=0;i<30;i++){for(var n=[],a=0;a<6;a++)n.push(Mt(r,2)*4-2),n.push(Mt(r,3)*4-2),r++;t.push(n)}this._pcfKernels=t,this.scene.on("beforerender",function(o,s,f){this.needsTemporalSS()&&this._temporalSS.jitterProjection(o,f)},this)}ge.prototype.setProjection=function(e){var t=this.camera;t&&t.update(),e==="perspective"?this.camera instanceof Ee||(this.camera=new Ee,t&&this.camera.setLocalTransform(t.localTransform)):this.camera instanceof Lt||(this.camera=new Lt,t&&this.camera.setLocalTransform(t.localTransform)),this.camera.near=.1,this.camera.far=2e3};ge.prototype.setViewport=function(e,t,r,i,n){this.camera instanceof Ee&&(this.camera.aspect=r/i),n=n||1,this.viewport.x=e,this.viewport.y=t,this.viewport.width=r,this.viewport.height=i,this.viewport.devicePixelRatio=n,this._compositor.resize(r*n,i*n),this._temporalSS.resize(r*n,i*n)};ge.prototype.containPoint=function(e,t){var r=this.viewport,i=this.layer.renderer.getHeight();return t=i-t,e>=r.x&&t>=r.y&&e<=r.x+r.width&&t<=r.y+r.height};var Ff=new Pe;ge.prototype.castRay=function(e,t,r){var i=this.layer.renderer,n=i.viewport;return i.viewport=this.viewport,i.screenToNDC(e,t,Ff),this.camera.castRay(Ff,r),i.viewport=n,r};ge.prototype.prepareRender=function(){this.scene.update(),this.camera.update(),this.scene.updateLights();var e=this.scene.updateRenderList(this.camera);this._needsSortProgressively=!1;for(var t=0;t<e.transparent.length;t++){var r=e.transparent[t],i=r.geometry;i.needsSortVerticesProgressively&&i.needsSortVerticesProgressively()&&(this._needsSortProgressively=!0),i.needsSortTrianglesProgressively&&i.needsSortTrianglesProgressively()&&(this._needsSortProgressively=!0)}this._frame=0,this._temporalSS.resetFrame()};ge.prototype.render=function(e,t){this._doRender(e,t,this._frame),this._frame++};ge.prototype.needsAccumulate=function(){return this.needsTemporalSS()||this._needsSortProgressively};ge.prototype.needsTemporalSS=function(){var e=this._enableTemporalSS;return e==="auto"&&(e=this._enablePostEffect),e};ge.prototype.hasDOF=function(){return this._enableDOF};ge.prototype.isAccumulateFinished=function(){return this.needsTemporalSS()?this._temporalSS.isFinished():this._frame>30};ge.prototype._doRender=function(e,t,r){var i=this.scene,n=this.camera;r=r||0,this._updateTransparent(e,i,n,r),t||(this._shadowMapPass.kernelPCF=this._pcfKernels[0],this._shadowMapPass.render(e,i,n,!0)),this._updateShadowPCFKernel(r);var a=e.clearColor;if(e.gl.clearColor(a[0],a[1],a[2],a[3]),this._enablePostEffect&&(this.needsTemporalSS()&&this._temporalSS.jitterProjection(e,n),this._compositor.updateNormal(e,i,n,this._temporalSS.getFrame())),this._updateSSAO(e,i,n,this._temporalSS.getFrame()),this._enablePostEffect){var o=this._compositor.getSourceFrameBuffer();o.bind(e),e.gl.clear(e.gl.DEPTH_BUFFER_BIT|e.gl.COLOR_BUFFER_BIT),e.render(i,n,!0,!0),o.unbind(e),this.needsTemporalSS()&&t?(this._compositor.composite(e,i,n,this._temporalSS.getSourceFrameBuffer(),this._temporalSS.getFrame()),e.setViewport(this.viewport),this._temporalSS.render(e)):(e.setViewport(this.viewport),this._compositor.composite(e,i,n,null,0))}else if(this.needsTemporalSS()&&t){var o=this._temporalSS.getSourceFrameBuffer();o.bind(e),e.saveClear(),e.clearBit=e.gl.DEPTH_BUFFER_BIT|e.gl.COLOR_BUFFER_BIT,e.render(i,n,!0,!0),e.restoreClear(),o.unbind(e),e.setViewport(this.viewport),this._temporalSS.render(e)}else e.setViewport(this.viewport),e.render(i,n,!0,!0)};ge.prototype._updateTransparent=function(e,t,r,i){for(var n=new C,a=new O,o=r.getWorldPosition(),s=t.getRenderList(r).transparent,f=0;f<s.length;f++){var l=s[f],u=l.geometry;O.invert(a,l.worldTransform),C.transformMat4(n,o,a),u.needsSortTriangles&&u.needsSortTriangles()&&u.doSortTriangles(n,i),u.needsSortVertices&&u.needsSortVertices()&&u.doSortVertices(n,i)}};ge.prototype._updateSSAO=function(e,t,r){var i=this._enableSSAO&&this._enablePostEffect;i&&this._compositor.updateSSAO(e,t,r,this._temporalSS.getFrame());for(var n=t.getRenderList(r),a=0;a<n.opaque.length;a++){var o=n.opaque[a];o.renderNormal&&o.material[i?"enableTexture":"disableTexture"]("ssaoMap"),i&&o.material.set("ssaoMap",this._compositor.getSSAOTexture())}};ge.prototype._updateShadowPCFKernel=function(e){for(var t=this._pcfKernels[e%this._pcfKernels.length],r=this.scene.getRenderList(this.camera),i=r.opaque,n=0;n<i.length;n++)i[n].receiveShadow&&(i[n].material.set("pcfKernel",t),i[n].material.define("fragment","PCF_KERNEL_SIZE",t.length/2))};ge.prototype.dispose=function(e){this._compositor.dispose(e.gl),this._temporalSS.dispose(e.gl),this._shadowMapPass.dispose(e)};ge.prototype.setPostEffect=function(e,t){var r=this._compositor;this._enablePostEffect=e.get("enable");var i=e.getModel("bloom"),n=e.getModel("edge"),a=e.getModel("DOF",e.getModel("depthOfField")),o=e.getModel("SSAO",e.getModel("screenSpaceAmbientOcclusion")),s=e.getModel("SSR",e.getModel("screenSpaceReflection")),f=e.getModel("FXAA"),l=e.getModel("colorCorrection");i.get("enable")?r.enableBloom():r.disableBloom(),a.get("enable")?r.enableDOF():r.disableDOF(),s.get("enable")?r.enableSSR():r.disableSSR(),l.get("enable")?r.enableColorCorrection():r.disableColorCorrection(),n.get("enable")?r.enableEdge():r.disableEdge(),f.get("enable")?r.enableFXAA():r.disableFXAA(),this._enableDOF=a.get("enable"),this._enableSSAO=o.get("enable"),this._enableSSAO?r.enableSSAO():r.disableSSAO(),r.setBloomIntensity(i.get("intensity")),r.setEdgeColor(n.get("color")),r.setColorLookupTexture(l.get("lookupTexture"),t),r.setExposure(l.get("exposure")),["radius","quality","intensity"].forEach(function(u){r.setSSAOParameter(u,o.get(u))}),["quality","maxRoughness","physical"].forEach(function(u){r.setSSRParameter(u,s.get(u))}),["quality","focalDistance","focalRange","blurRadius","fstop"].forEach(function(u){r.setDOFParameter(u,a.get(u))}),["brightness","contrast","saturation"].forEach(function(u){r.setColorCorrection(u,l.get(u))})};ge.prototype.setDOFFocusOnPoint=function(e){if(this._enablePostEffect)return e>this.camera.far||e<this.camera.near?void 0:(this._compositor.setDOFParameter("focalDistance",e),!0)};ge.prototype.setTemporalSuperSampling=function(e){this._enableTemporalSS=e.get("enable")};ge.prototype.isLinearSpace=function(){return this._enablePostEffect};ge.prototype.setRootNode=function(e){if(this.rootNode!==e){for(var t=this.rootNode.children(),r=0;r<t.length;r++)e.add(t[r]);e!==this.scene&&this.scene.add(e),this.rootNode=e}};ge.prototype.add=function(e){this.rootNode.add(e)};ge.prototype.remove=function(e){this.rootNode.remove(e)};ge.prototype.removeAll=function(e){this.rootNode.removeAll(e)};Object.assign(ge.prototype,ur);var Uf=ge;function Wh(e,t){var r=document.createElement("canvas"),i=r.getContext("2d"),n=e.width,a=e.height;r.width=n,r.height=a,i.drawImage(e,0,0,n,a);for(var o=i.getImageData(0,0,n,a).data,s=new Float32Array(o.length/4),f=0;f<o.length/4;f++){var l=o[f*4];s[f]=l/255*t}return{data:s,width:n,height:a}}function Xh(e,t){var r=e.getBoxLayoutParams(),i=ja(r,{width:t.getWidth(),height:t.getHeight()});i.y=t.getHeight()-i.y-i.height,this.viewGL.setViewport(i.x,i.y,i.width,i.height,t.getDevicePixelRatio()),this.radius=e.get("globeRadius");var n=e.get("globeOuterRadius");this.altitudeAxis&&this.altitudeAxis.setExtent(0,n-this.radius)}function jh(e,t){var r=[1/0,-1/0];if(e.eachSeries(function(n){if(n.coordinateSystem===this){var a=n.getData(),o=n.coordDimToDataDim("alt"),s=o&&o[0];if(s){var f=a.getDataExtent(s,!0);r[0]=Math.min(r[0],f[0]),r[1]=Math.max(r[1],f[1])}}},this),r&&isFinite(r[1]-r[0])){var i=gt.createScale(r,{type:"value",min:"dataMin",max:"dataMax"});this.altitudeAxis=new En("altitude",i),this.resize(this.model,t)}}var Yh={dimensions:na.prototype.dimensions,create:function(e,t){var r=[];return e.eachComponent("globe",function(i){i.__viewGL=i.__viewGL||new Uf;var n=new na;n.viewGL=i.__viewGL,i.coordinateSystem=n,n.model=i,r.push(n),n.resize=Xh,n.resize(i,t),n.update=jh}),e.eachSeries(function(i){if(i.get("coordinateSystem")==="globe"){var n=i.getReferringComponents("globe").models[0];if(n||(n=e.getComponent("globe")),!n)throw new Error('globe "'+Ce.firstNotNull(i.get("globe3DIndex"),i.get("globe3DId"),0)+'" not found');var a=n.coordinateSystem;i.coordinateSystem=a}}),e.eachComponent("globe",function(i,n){var a=i.coordinateSystem,o=i.getDisplacementTexture(),s=i.getDisplacemenScale();if(i.isDisplacementChanged()){if(i.hasDisplacement()){var f=!0;b.loadTexture(o,t,function(l){var u=l.image,c=Wh(u,s);i.setDisplacementData(c.data,c.width,c.height),f||t.dispatchAction({type:"globeUpdateDisplacment"})}),f=!1}else a.setDisplacementData(null,0,0);a.setDisplacementData(i.displacementData,i.displacementWidth,i.displacementHeight)}}),r}},Hf=Yh;function Gf(e){e.registerComponentModel(ks),e.registerComponentView(rf),e.registerCoordinateSystem("globe",Hf),e.registerAction({type:"globeChangeCamera",event:"globecamerachanged",update:"series:updateCamera"},function(t,r){r.eachComponent({mainType:"globe",query:t},function(i){i.setView(t)})}),e.registerAction({type:"globeUpdateDisplacment",event:"globedisplacementupdated",update:"update"},function(t,r){})}var Me=tt.vec3,zf=tt.vec2,Ot=Me.normalize,Ji=Me.cross,Vf=Me.sub,va=Me.add,Xt=Me.create,kt=Xt(),lt=Xt(),Wt=Xt(),ii=Xt(),kf=[],Wf=[];function qh(e,t){zf.copy(kf,e[0]),zf.copy(Wf,e[1]);var r=[],i=r[0]=Xt(),n=r[1]=Xt(),a=r[2]=Xt(),o=r[3]=Xt();t.dataToPoint(kf,i),t.dataToPoint(Wf,o),Ot(kt,i),Vf(lt,o,i),Ot(lt,lt),Ji(Wt,lt,kt),Ot(Wt,Wt),Ji(lt,kt,Wt),va(n,kt,lt),Ot(n,n),Ot(kt,o),Vf(lt,i,o),Ot(lt,lt),Ji(Wt,lt,kt),Ot(Wt,Wt),Ji(lt,kt,Wt),va(a,kt,lt),Ot(a,a),va(ii,i,o),Ot(ii,ii);var s=Me.dot(i,ii),f=Me.dot(ii,n),l=(Math.max(Me.len(i),Me.len(o))-s)/f*2;return Me.scaleAndAdd(n,i,n,l),Me.scaleAndAdd(a,o,a,l),r}function Zh(e,t,r){var i=[],n=i[0]=Me.create(),a=i[1]=Me.create(),o=i[2]=Me.create(),s=i[3]=Me.create();t.dataToPoint(e[0],n),t.dataToPoint(e[1],s);var f=Me.dist(n,s);return Me.lerp(a,n,s,.3),Me.lerp(o,n,s,.3),Me.scaleAndAdd(a,a,r,Math.min(f*.1,10)),Me.scaleAndAdd(o,o,r,Math.min(f*.1,10)),i}function jf(e,t){for(var r=new Float32Array(e.length*3),i=0,n=[],a=0;a<e.length;a++)t.dataToPoint(e[a],n),r[i++]=n[0],r[i++]=n[1],r[i++]=n[2];return r}function Yf(e){var t=[];return e.each(function(r){var i=e.getItemModel(r),n=i.option instanceof Array?i.option:i.getShallow("coords",!0);t.push(n)}),{coordsList:t}}function Kh(e,t){var r=e.getData(),i=e.get("polyline");r.setLayout("lineType",i?"polyline":"cubicBezier");var n=Yf(r);r.each(function(a){var o=n.coordsList[a],s=i?jf:qh;r.setItemLayout(a,s(o,t))})}function Xf(e,t,r){var i=e.getData(),n=e.get("polyline"),a=Yf(i);i.setLayout("lineType",n?"polyline":"cubicBezier"),i.each(function(o){var s=a.coordsList[o],f=n?jf(s,t):Zh(s,t,r);i.setItemLayout(o,f)})}function _a(e,t){e.eachSeriesByType("lines3D",function(r){var i=r.coordinateSystem;i.type==="globe"?Kh(r,i):i.type==="geo3D"?Xf(r,i,[0,1,0]):(i.type==="mapbox3D"||i.type==="maptalks3D")&&Xf(r,i,[0,0,1])})}var qf=Or.extend({type:"series.lines3D",dependencies:["globe"],visualStyleAccessPath:"lineStyle",visualDrawType:"stroke",getInitialData:function(e,t){var r=new Fr(["value"],this);return r.hasItemOption=!1,r.initData(ns(e.data),[],function(i,n,a,o){if(i instanceof Array)return NaN;r.hasItemOption=!0;var s=i.value;if(s!=null)return s instanceof Array?s[o]:s}),r},defaultOption:{coordinateSystem:"globe",globeIndex:0,geo3DIndex:0,zlevel:-10,polyline:!1,effect:{show:!1,period:4,trailWidth:4,trailLength:.2,spotIntensity:6},silent:!0,blendMode:"source-over",lineStyle:{width:1,opacity:.5}}});var $i={convertToDynamicArray:function(e){e&&this.resetOffset();var t=this.attributes;for(var r in t)e||!t[r].value?t[r].value=[]:t[r].value=Array.prototype.slice.call(t[r].value);e||!this.indices?this.indices=[]:this.indices=Array.prototype.slice.call(this.indices)},convertToTypedArray:function(){var e=this.attributes;for(var t in e)e[t].value&&e[t].value.length>0?e[t].value=new Float32Array(e[t].value):e[t].value=null;this.indices&&this.indices.length>0&&(this.indices=this.vertexCount>65535?new Uint32Array(this.indices):new Uint16Array(this.indices)),this.dirty()}};var ga=tt.vec3,Zf=[[0,0],[1,1]],Kf=Te.extend(function(){return{segmentScale:1,dynamic:!0,useNativeLine:!0,attributes:{position:new Te.Attribute("position","float",3,"POSITION"),positionPrev:new Te.Attribute("positionPrev","float",3),positionNext:new Te.Attribute("positionNext","float",3),prevPositionPrev:new Te.Attribute("prevPositionPrev","float",3),prevPosition:new Te.Attribute("prevPosition","float",3),prevPositionNext:new Te.Attribute("prevPositionNext","float",3),offset:new Te.Attribute("offset","float",1),color:new Te.Attribute("color","float",4,"COLOR")}}},{resetOffset:function(){this._vertexOffset=0,this._triangleOffset=0,this._itemVertexOffsets=[]},setVertexCount:function(e){var t=this.attributes;this.vertexCount!==e&&(t.position.init(e),t.color.init(e),this.useNativeLine||(t.positionPrev.init(e),t.positionNext.init(e),t.offset.init(e)),e>65535?this.indices instanceof Uint16Array&&(this.indices=new Uint32Array(this.indices)):this.indices instanceof Uint32Array&&(this.indices=new Uint16Array(this.indices)))},setTriangleCount:function(e){this.triangleCount!==e&&(e===0?this.indices=null:this.indices=this.vertexCount>65535?new Uint32Array(e*3):new Uint16Array(e*3))},_getCubicCurveApproxStep:function(e,t,r,i){var n=ga.dist(e,t)+ga.dist(r,t)+ga.dist(i,r),a=1/(n+1)*this.segmentScale;return a},getCubicCurveVertexCount:function(e,t,r,i){var n=this._getCubicCurveApproxStep(e,t,r,i),a=Math.ceil(1/n);return this.useNativeLine?a*2:a*2+2},getCubicCurveTriangleCount:function(e,t,r,i){var n=this._getCubicCurveApproxStep(e,t,r,i),a=Math.ceil(1/n);return this.useNativeLine?0:a*2},getLineVertexCount:function(){return this.getPolylineVertexCount(Zf)},getLineTriangleCount:function(){return this.getPolylineTriangleCount(Zf)},getPolylineVertexCount:function(e){var t;if(typeof e=="number")t=e;else{var r=typeof e[0]!="number";t=r?e.length:e.length/3}return this.useNativeLine?(t-1)*2:(t-1)*2+2},getPolylineTriangleCount:function(e){var t;if(typeof e=="number")t=e;else{var r=typeof e[0]!="number";t=r?e.length:e.length/3}return this.useNativeLine?0:Math.max(t-1,0)*2},addCubicCurve:function(e,t,r,i,n,a){a==null&&(a=1);for(var o=e[0],s=e[1],f=e[2],l=t[0],u=t[1],c=t[2],d=r[0],h=r[1],m=r[2],p=i[0],v=i[1],_=i[2],x=this._getCubicCurveApproxStep(e,t,r,i),T=x*x,g=T*x,E=3*x,A=3*T,R=6*T,w=6*g,D=o-l*2+d,W=s-u*2+h,P=f-c*2+m,H=(l-d)*3-o+p,F=(u-h)*3-s+v,B=(c-m)*3-f+_,z=o,Y=s,ie=f,Fe=(l-o)*E+D*A+H*g,Ue=(u-s)*E+W*A+F*g,Ke=(c-f)*E+P*A+B*g,rt=D*R+H*w,je=W*R+F*w,Ye=P*R+B*w,ct=H*w,ht=F*w,it=B*w,Rr=0,_t=0,fr=Math.ceil(1/x),Dr=new Float32Array((fr+1)*3),Dr=[],an=0,_t=0;_t<fr+1;_t++)Dr[an++]=z,Dr[an++]=Y,Dr[an++]=ie,z+=Fe,Y+=Ue,ie+=Ke,Fe+=rt,Ue+=je,Ke+=Ye,rt+=ct,je+=ht,Ye+=it,Rr+=x,Rr>1&&(z=Fe>0?Math.min(z,p):Math.max(z,p),Y=Ue>0?Math.min(Y,v):Math.max(Y,v),ie=Ke>0?Math.min(ie,_):Math.max(ie,_));return this.addPolyline(Dr,n,a)},addLine:function(e,t,r,i){return this.addPolyline([e,t],r,i)},addPolyline:function(e,t,r,i,n){if(e.length){var a=typeof e[0]!="number";if(n==null&&(n=a?e.length:e.length/3),!(n<2)){i==null&&(i=0),r==null&&(r=1),this._itemVertexOffsets.push(this._vertexOffset);var a=typeof e[0]!="number",o=a?typeof t[0]!="number":t.length/4===n,s=this.attributes.position,f=this.attributes.positionPrev,l=this.attributes.positionNext,u=this.attributes.color,c=this.attributes.offset,d=this.indices,h=this._vertexOffset,m,p;r=Math.max(r,.01);for(var v=i;v<n;v++){if(a)m=e[v],o?p=t[v]:p=t;else{var _=v*3;if(m=m||[],m[0]=e[_],m[1]=e[_+1],m[2]=e[_+2],o){var x=v*4;p=p||[],p[0]=t[x],p[1]=t[x+1],p[2]=t[x+2],p[3]=t[x+3]}else p=t}if(this.useNativeLine?v>1&&(s.copy(h,h-1),u.copy(h,h-1),h++):(v<n-1&&(f.set(h+2,m),f.set(h+3,m)),v>0&&(l.set(h-2,m),l.set(h-1,m)),s.set(h,m),s.set(h+1,m),u.set(h,p),u.set(h+1,p),c.set(h,r/2),c.set(h+1,-r/2),h+=2),this.useNativeLine)u.set(h,p),s.set(h,m),h++;else if(v>0){var T=this._triangleOffset*3,d=this.indices;d[T]=h-4,d[T+1]=h-3,d[T+2]=h-2,d[T+3]=h-3,d[T+4]=h-1,d[T+5]=h-2,this._triangleOffset+=2}}if(!this.useNativeLine){var g=this._vertexOffset,E=this._vertexOffset+n*2;f.copy(g,g+2),f.copy(g+1,g+3),l.copy(E-1,E-3),l.copy(E-2,E-4)}return this._vertexOffset=h,this._vertexOffset}}},setItemColor:function(e,t){for(var r=this._itemVertexOffsets[e],i=e<this._itemVertexOffsets.length-1?this._itemVertexOffsets[e+1]:this._vertexOffset,n=r;n<i;n++)this.attributes.color.set(n,t);this.dirty("color")},currentTriangleOffset:function(){return this._triangleOffset},currentVertexOffset:function(){return this._vertexOffset}});te.defaults(Kf.prototype,$i);var en=Kf;var Qf=`@export ecgl.trail2.vertex
attribute vec3 position: POSITION;
attribute vec3 positionPrev;
attribute vec3 positionNext;
attribute float offset;
attribute float dist;
attribute float distAll;
attribute float start;

attribute vec4 a_Color : COLOR;

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform vec4 viewport : VIEWPORT;
uniform float near : NEAR;

uniform float speed : 0;
uniform float trailLength: 0.3;
uniform float time;
uniform float period: 1000;

uniform float spotSize: 1;

varying vec4 v_Color;
varying float v_Percent;
varying float v_SpotPercent;

@import ecgl.common.wireframe.vertexHeader

@import ecgl.lines3D.clipNear

void main()
{
 @import ecgl.lines3D.expandLine

 gl_Position = currProj;

 v_Color = a_Color;

 @import ecgl.common.wireframe.vertexMain

#ifdef CONSTANT_SPEED
 float t = mod((speed * time + start) / distAll, 1. + trailLength) - trailLength;
#else
 float t = mod((time + start) / period, 1. + trailLength) - trailLength;
#endif

 float trailLen = distAll * trailLength;

 v_Percent = (dist - t * distAll) / trailLen;

 v_SpotPercent = spotSize / distAll;

 }
@end


@export ecgl.trail2.fragment

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];
uniform float spotIntensity: 5;

varying vec4 v_Color;
varying float v_Percent;
varying float v_SpotPercent;

@import ecgl.common.wireframe.fragmentHeader

@import clay.util.srgb

void main()
{
 if (v_Percent > 1.0 || v_Percent < 0.0) {
 discard;
 }

 float fade = v_Percent;

#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(color * v_Color);
#else
 gl_FragColor = color * v_Color;
#endif

 @import ecgl.common.wireframe.fragmentMain

 if (v_Percent > (1.0 - v_SpotPercent)) {
 gl_FragColor.rgb *= spotIntensity;
 }

 gl_FragColor.a *= fade;
}

@end`;function Jf(e){let t=e.getVisual("style");if(t){let r=e.getVisual("drawType");return t[r]}}function $f(e){return e.getVisual("style").opacity}function ut(e,t){let r=e.getItemVisual(t,"style");if(r){let i=e.getVisual("drawType");return r[i]}}function Et(e,t){let r=e.getItemVisual(t,"style");return r&&r.opacity}var el=tt.vec3;function Qh(e){return e>0?1:-1}b.Shader.import(Qf);var tl=b.Mesh.extend(function(){var e=new b.Material({shader:new b.Shader(b.Shader.source("ecgl.trail2.vertex"),b.Shader.source("ecgl.trail2.fragment")),transparent:!0,depthMask:!1}),t=new en({dynamic:!0});return t.createAttribute("dist","float",1),t.createAttribute("distAll","float",1),t.createAttribute("start","float",1),{geometry:t,material:e,culling:!1,$ignorePicking:!0}},{updateData:function(e,t,r){var i=e.hostModel,n=this.geometry,a=i.getModel("effect"),o=a.get("trailWidth")*t.getDevicePixelRatio(),s=a.get("trailLength"),f=i.get("effect.constantSpeed"),l=i.get("effect.period")*1e3,u=f!=null;u?this.material.set("speed",f/1e3):this.material.set("period",l),this.material[u?"define":"undefine"]("vertex","CONSTANT_SPEED");var c=i.get("polyline");n.trailLength=s,this.material.set("trailLength",s),n.resetOffset(),["position","positionPrev","positionNext"].forEach(function(R){n.attributes[R].value=r.attributes[R].value});var d=["dist","distAll","start","offset","color"];d.forEach(function(R){n.attributes[R].init(n.vertexCount)}),n.indices=r.indices;var h=[],m=a.get("trailColor"),p=a.get("trailOpacity"),v=m!=null,_=p!=null;this.updateWorldTransform();var x=this.worldTransform.x.len(),T=this.worldTransform.y.len(),g=this.worldTransform.z.len(),E=0,A=0;e.each(function(R){var w=e.getItemLayout(R),D=_?p:Et(e,R),W=ut(e,R);D==null&&(D=1),h=b.parseColor(v?m:W,h),h[3]*=D;for(var P=c?r.getPolylineVertexCount(w):r.getCubicCurveVertexCount(w[0],w[1],w[2],w[3]),H=0,F=[],B=[],z=E;z<E+P;z++)n.attributes.position.get(z,F),F[0]*=x,F[1]*=T,F[2]*=g,z>E&&(H+=el.dist(F,B)),n.attributes.dist.set(z,H),el.copy(B,F);A=Math.max(A,H);for(var Y=Math.random()*(u?H:l),z=E;z<E+P;z++)n.attributes.distAll.set(z,H),n.attributes.start.set(z,Y),n.attributes.offset.set(z,Qh(r.attributes.offset.get(z))*o/2),n.attributes.color.set(z,h);E+=P}),this.material.set("spotSize",A*.1*s),this.material.set("spotIntensity",a.get("spotIntensity")),n.dirty()},setAnimationTime:function(e){this.material.set("time",e)}});var rl=`@export ecgl.lines3D.vertex

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;

attribute vec3 position: POSITION;
attribute vec4 a_Color : COLOR;
varying vec4 v_Color;

void main()
{
 gl_Position = worldViewProjection * vec4(position, 1.0);
 v_Color = a_Color;
}

@end

@export ecgl.lines3D.fragment

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];

varying vec4 v_Color;

@import clay.util.srgb

void main()
{
#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(color * v_Color);
#else
 gl_FragColor = color * v_Color;
#endif
}
@end



@export ecgl.lines3D.clipNear

vec4 clipNear(vec4 p1, vec4 p2) {
 float n = (p1.w - near) / (p1.w - p2.w);
 return vec4(mix(p1.xy, p2.xy, n), -near, near);
}

@end

@export ecgl.lines3D.expandLine
#ifdef VERTEX_ANIMATION
 vec4 prevProj = worldViewProjection * vec4(mix(prevPositionPrev, positionPrev, percent), 1.0);
 vec4 currProj = worldViewProjection * vec4(mix(prevPosition, position, percent), 1.0);
 vec4 nextProj = worldViewProjection * vec4(mix(prevPositionNext, positionNext, percent), 1.0);
#else
 vec4 prevProj = worldViewProjection * vec4(positionPrev, 1.0);
 vec4 currProj = worldViewProjection * vec4(position, 1.0);
 vec4 nextProj = worldViewProjection * vec4(positionNext, 1.0);
#endif

 if (currProj.w < 0.0) {
 if (nextProj.w > 0.0) {
 currProj = clipNear(currProj, nextProj);
 }
 else if (prevProj.w > 0.0) {
 currProj = clipNear(currProj, prevProj);
 }
 }

 vec2 prevScreen = (prevProj.xy / abs(prevProj.w) + 1.0) * 0.5 * viewport.zw;
 vec2 currScreen = (currProj.xy / abs(currProj.w) + 1.0) * 0.5 * viewport.zw;
 vec2 nextScreen = (nextProj.xy / abs(nextProj.w) + 1.0) * 0.5 * viewport.zw;

 vec2 dir;
 float len = offset;
 if (position == positionPrev) {
 dir = normalize(nextScreen - currScreen);
 }
 else if (position == positionNext) {
 dir = normalize(currScreen - prevScreen);
 }
 else {
 vec2 dirA = normalize(currScreen - prevScreen);
 vec2 dirB = normalize(nextScreen - currScreen);

 vec2 tanget = normalize(dirA + dirB);

 float miter = 1.0 / max(dot(tanget, dirA), 0.5);
 len *= miter;
 dir = tanget;
 }

 dir = vec2(-dir.y, dir.x) * len;
 currScreen += dir;

 currProj.xy = (currScreen / viewport.zw - 0.5) * 2.0 * abs(currProj.w);
@end


@export ecgl.meshLines3D.vertex

attribute vec3 position: POSITION;
attribute vec3 positionPrev;
attribute vec3 positionNext;
attribute float offset;
attribute vec4 a_Color : COLOR;

#ifdef VERTEX_ANIMATION
attribute vec3 prevPosition;
attribute vec3 prevPositionPrev;
attribute vec3 prevPositionNext;
uniform float percent : 1.0;
#endif

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform vec4 viewport : VIEWPORT;
uniform float near : NEAR;

varying vec4 v_Color;

@import ecgl.common.wireframe.vertexHeader

@import ecgl.lines3D.clipNear

void main()
{
 @import ecgl.lines3D.expandLine

 gl_Position = currProj;

 v_Color = a_Color;

 @import ecgl.common.wireframe.vertexMain
}
@end


@export ecgl.meshLines3D.fragment

uniform vec4 color : [1.0, 1.0, 1.0, 1.0];

varying vec4 v_Color;

@import ecgl.common.wireframe.fragmentHeader

@import clay.util.srgb

void main()
{
#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(color * v_Color);
#else
 gl_FragColor = color * v_Color;
#endif

 @import ecgl.common.wireframe.fragmentMain
}

@end`;b.Shader.import(rl);function Jh(e){return e.radius!=null?e.radius:e.size!=null?Math.max(e.size[0],e.size[1],e.size[2]):100}var il=Ir.extend({type:"lines3D",__ecgl__:!0,init:function(e,t){this.groupGL=new b.Node,this._meshLinesMaterial=new b.Material({shader:b.createShader("ecgl.meshLines3D"),transparent:!0,depthMask:!1}),this._linesMesh=new b.Mesh({geometry:new en,material:this._meshLinesMaterial,$ignorePicking:!0}),this._trailMesh=new tl},render:function(e,t,r){this.groupGL.add(this._linesMesh);var i=e.coordinateSystem,n=e.getData();if(i&&i.viewGL){var a=i.viewGL;a.add(this.groupGL),this._updateLines(e,t,r);var o=i.viewGL.isLinearSpace()?"define":"undefine";this._linesMesh.material[o]("fragment","SRGB_DECODE"),this._trailMesh.material[o]("fragment","SRGB_DECODE")}var s=this._trailMesh;if(s.stopAnimation(),e.get("effect.show")){this.groupGL.add(s),s.updateData(n,r,this._linesMesh.geometry),s.__time=s.__time||0;var f=3600*1e3;this._curveEffectsAnimator=s.animate("",{loop:!0}).when(f,{__time:f}).during(function(){s.setAnimationTime(s.__time)}).start()}else this.groupGL.remove(s),this._curveEffectsAnimator=null;this._linesMesh.material.blend=this._trailMesh.material.blend=e.get("blendMode")==="lighter"?b.additiveBlend:null},pauseEffect:function(){this._curveEffectsAnimator&&this._curveEffectsAnimator.pause()},resumeEffect:function(){this._curveEffectsAnimator&&this._curveEffectsAnimator.resume()},toggleEffect:function(){var e=this._curveEffectsAnimator;e&&(e.isPaused()?e.resume():e.pause())},_updateLines:function(e,t,r){var i=e.getData(),n=e.coordinateSystem,a=this._linesMesh.geometry,o=e.get("polyline");a.expandLine=!0;var s=Jh(n);a.segmentScale=s/20;var f="lineStyle.width".split("."),l=r.getDevicePixelRatio(),u=0;i.each(function(m){var p=i.getItemModel(m),v=p.get(f);v==null&&(v=1),i.setItemVisual(m,"lineWidth",v),u=Math.max(v,u)}),a.useNativeLine=!1;var c=0,d=0;i.each(function(m){var p=i.getItemLayout(m);o?(c+=a.getPolylineVertexCount(p),d+=a.getPolylineTriangleCount(p)):(c+=a.getCubicCurveVertexCount(p[0],p[1],p[2],p[3]),d+=a.getCubicCurveTriangleCount(p[0],p[1],p[2],p[3]))}),a.setVertexCount(c),a.setTriangleCount(d),a.resetOffset();var h=[];i.each(function(m){var p=i.getItemLayout(m),v=ut(i,m),_=Et(i,m),x=i.getItemVisual(m,"lineWidth")*l;_==null&&(_=1),h=b.parseColor(v,h),h[3]*=_,o?a.addPolyline(p,h,x):a.addCubicCurve(p[0],p[1],p[2],p[3],h,x)}),a.dirty()},remove:function(){this.groupGL.removeAll()},dispose:function(){this.groupGL.removeAll()}});function nl(e){e.registerChartView(il),e.registerSeriesModel(qf),e.registerLayout(_a),e.registerAction({type:"lines3DPauseEffect",event:"lines3deffectpaused",update:"series.lines3D:pauseEffect"},function(){}),e.registerAction({type:"lines3DResumeEffect",event:"lines3deffectresumed",update:"series.lines3D:resumeEffect"},function(){}),e.registerAction({type:"lines3DToggleEffect",event:"lines3deffectchanged",update:"series.lines3D:toggleEffect"},function(){})}var ya={};ya.getFormattedLabel=function(e,t,r,i,n){r=r||"normal";var a=e.getData(i),o=a.getItemModel(t),s=e.getDataParams(t,i);n!=null&&s.value instanceof Array&&(s.value=s.value[n]);var f=o.get(r==="normal"?["label","formatter"]:["emphasis","label","formatter"]);f==null&&(f=o.get(["label","formatter"]));var l;return typeof f=="function"?(s.status=r,l=f(s)):typeof f=="string"&&(l=at.formatTpl(f,s)),l};ya.normalizeToArray=function(e){return e instanceof Array?e:e==null?[]:[e]};var tn=ya;function $h(e,t){var r=[];return te.each(e.dimensions,function(i){var n=e.getDimensionInfo(i),a=n.otherDims,o=a[t];o!=null&&o!==!1&&(r[o]=n.name)}),r}function al(e,t,r){function i(c){var d=!0,h=[],m=$h(n,"tooltip");m.length?te.each(m,function(v){p(n.get(v,t),v)}):te.each(c,p);function p(v,_){var x=n.getDimensionInfo(_);if(!(!x||x.otherDims.tooltip===!1)){var T=x.type,g=(d?"- "+(x.tooltipName||x.name)+": ":"")+(T==="ordinal"?v+"":T==="time"?r?"":at.formatTime("yyyy/MM/dd hh:mm:ss",v):at.addCommas(v));g&&h.push(at.encodeHTML(g))}}return(d?"<br/>":"")+h.join(d?"<br/>":", ")}var n=e.getData(),a=e.getRawValue(t),o=te.isArray(a)?i(a):at.encodeHTML(at.addCommas(a)),s=n.getName(t),f=ut(n,t);te.isObject(f)&&f.colorStops&&(f=(f.colorStops[0]||{}).color),f=f||"transparent";var l=at.getTooltipMarker(f),u=e.name;return u==="\0-"&&(u=""),u=u?at.encodeHTML(u)+(r?": ":"<br/>"):"",r?l+u+o:u+l+(s?at.encodeHTML(s)+": "+o:o)}function ol(e,t,r){r=r||e.getSource();var i=t||xn(e.get("coordinateSystem"))||["x","y","z"],n=gt.createDimensions(r,{dimensionsDefine:r.dimensionsDefine||e.get("dimensions"),encodeDefine:r.encodeDefine||e.get("encode"),coordDimensions:i.map(function(s){var f=e.getReferringComponents(s+"Axis3D").models[0];return{type:f&&f.get("type")==="category"?"ordinal":"float",name:s}})});e.get("coordinateSystem")==="cartesian3D"&&n.forEach(function(s){if(i.indexOf(s.coordDim)>=0){var f=e.getReferringComponents(s.coordDim+"Axis3D").models[0];f&&f.get("type")==="category"&&(s.ordinalMeta=f.getOrdinalMeta())}});var a=gt.dataStack.enableDataStack(e,n,{byIndex:!0,stackedCoordDimension:"z"}),o=new Fr(n,e);return o.setCalculationInfo(a),o.initData(r),o}var sl=Or.extend({type:"series.scatter3D",dependencies:["globe","grid3D","geo3D"],visualStyleAccessPath:"itemStyle",hasSymbolVisual:!0,getInitialData:function(e,t){return ol(this)},getFormattedLabel:function(e,t,r,i){var n=tn.getFormattedLabel(this,e,t,r,i);if(n==null){var a=this.getData(),o=a.dimensions[a.dimensions.length-1];n=a.get(o,e)}return n},formatTooltip:function(e){return al(this,e)},defaultOption:{coordinateSystem:"cartesian3D",zlevel:-10,progressive:1e5,progressiveThreshold:1e5,grid3DIndex:0,globeIndex:0,symbol:"circle",symbolSize:10,blendMode:"source-over",label:{show:!1,position:"right",distance:5,textStyle:{fontSize:14,color:"#000",backgroundColor:"rgba(255,255,255,0.7)",padding:3,borderRadius:3}},itemStyle:{opacity:.8},emphasis:{label:{show:!0}},animationDurationUpdate:500}});function xa(e,i,r){var i=i||document.createElement("canvas");i.width=e,i.height=e;var n=i.getContext("2d");return r&&r(n),i}function ed(e,t,r,i){te.isArray(t)||(t=[t,t]);var n=Ta.getMarginByStyle(r,i),a=t[0]+n.left+n.right,o=t[1]+n.top+n.bottom,s=gt.createSymbol(e,0,0,t[0],t[1]),f=Math.max(a,o);s.x=n.left,s.y=n.top,a>o?s.y+=(f-o)/2:s.x+=(f-a)/2;var l=s.getBoundingRect();return s.x-=l.x,s.y-=l.y,s.setStyle(r),s.update(),s.__size=f,s}function td(e,t,r){var i=t.width,n=t.height,a=e.canvas.width,o=e.canvas.height,s=i/a,f=n/o;function l(_){return _<128?1:-1}function u(_,x){var T=1/0;_=Math.floor(_*s),x=Math.floor(x*f);for(var g=x*i+_,E=t.data[g*4],A=l(E),R=Math.max(x-r,0);R<Math.min(x+r,n);R++)for(var w=Math.max(_-r,0);w<Math.min(_+r,i);w++){var g=R*i+w,D=t.data[g*4],W=l(D),P=w-_,H=R-x;if(A!==W){var F=P*P+H*H;F<T&&(T=F)}}return A*Math.sqrt(T)}for(var c=e.createImageData(a,o),d=0;d<o;d++)for(var h=0;h<a;h++){var m=u(h,d),p=m/r*.5+.5,v=(d*a+h)*4;c.data[v++]=(1-p)*255,c.data[v++]=(1-p)*255,c.data[v++]=(1-p)*255,c.data[v++]=255}return c}var Ta={getMarginByStyle:function(e){var t=e.minMargin||0,r=0;e.stroke&&e.stroke!=="none"&&(r=e.lineWidth==null?1:e.lineWidth);var i=e.shadowBlur||0,n=e.shadowOffsetX||0,a=e.shadowOffsetY||0,o={};return o.left=Math.max(r/2,-n+i,t),o.right=Math.max(r/2,n+i,t),o.top=Math.max(r/2,-a+i,t),o.bottom=Math.max(r/2,a+i,t),o},createSymbolSprite:function(e,t,r,i){var n=ed(e,t,r),a=Ta.getMarginByStyle(r);return{image:xa(n.__size,i,function(o){Br(o,n)}),margin:a}},createSDFFromCanvas:function(e,t,r,i){return xa(t,i,function(n){var a=e.getContext("2d"),o=a.getImageData(0,0,e.width,e.height);n.putImageData(td(n,o,r),0,0)})},createSimpleSprite:function(e,t){return xa(e,t,function(r){var i=e/2;r.beginPath(),r.arc(i,i,60,0,Math.PI*2,!1),r.closePath();var n=r.createRadialGradient(i,i,0,i,i,i);n.addColorStop(0,"rgba(255, 255, 255, 1)"),n.addColorStop(.5,"rgba(255, 255, 255, 0.5)"),n.addColorStop(1,"rgba(255, 255, 255, 0)"),r.fillStyle=n,r.fill()})}},Ea=Ta;function Sa(e,t,r){var i=e[t];e[t]=e[r],e[r]=i}function fl(e,t,r,i,n){var a=r,o=e[t];Sa(e,t,i);for(var s=r;s<i;s++)n(e[s],o)<0&&(Sa(e,s,a),a++);return Sa(e,i,a),a}function rn(e,t,r,i){if(r<i){var n=Math.floor((r+i)/2),a=fl(e,n,r,i,t);rn(e,t,r,a-1),rn(e,t,a+1,i)}}function Aa(){this._parts=[]}Aa.prototype.step=function(e,t,r){var i=e.length;if(r===0){this._parts=[],this._sorted=!1;var n=Math.floor(i/2);this._parts.push({pivot:n,left:0,right:i-1}),this._currentSortPartIdx=0}if(!this._sorted){var a=this._parts;if(a.length===0)return this._sorted=!0,!0;if(a.length<512){for(var o=0;o<a.length;o++)a[o].pivot=fl(e,a[o].pivot,a[o].left,a[o].right,t);for(var s=[],o=0;o<a.length;o++){var f=a[o].left,l=a[o].pivot-1;l>f&&s.push({pivot:Math.floor((l+f)/2),left:f,right:l});var f=a[o].pivot+1,l=a[o].right;l>f&&s.push({pivot:Math.floor((l+f)/2),left:f,right:l})}a=this._parts=s}else for(var o=0;o<Math.floor(a.length/10);o++){var u=a.length-1-this._currentSortPartIdx;if(rn(e,t,a[u].left,a[u].right),this._currentSortPartIdx++,this._currentSortPartIdx===a.length)return this._sorted=!0,!0}return!1}};Aa.sort=rn;var wa=Aa;var ll=tt.vec3,ul={needsSortVertices:function(){return this.sortVertices},needsSortVerticesProgressively:function(){return this.needsSortVertices()&&this.vertexCount>=2e4},doSortVertices:function(e,t){var r=this.indices,i=ll.create();if(!r){r=this.indices=this.vertexCount>65535?new Uint32Array(this.vertexCount):new Uint16Array(this.vertexCount);for(var n=0;n<r.length;n++)r[n]=n}if(t===0){var a=this.attributes.position,e=e.array,o=0;(!this._zList||this._zList.length!==this.vertexCount)&&(this._zList=new Float32Array(this.vertexCount));for(var s,n=0;n<this.vertexCount;n++){a.get(n,i);var f=ll.sqrDist(i,e);isNaN(f)&&(f=1e7,o++),n===0?(s=f,f=0):f=f-s,this._zList[n]=f}this._noneCount=o}if(this.vertexCount<2e4)t===0&&this._simpleSort(this._noneCount/this.vertexCount>.05);else for(var n=0;n<3;n++)this._progressiveQuickSort(t*3+n);this.dirtyIndices()},_simpleSort:function(e){var t=this._zList,r=this.indices;function i(n,a){return t[a]-t[n]}e?Array.prototype.sort.call(r,i):wa.sort(r,i,0,r.length-1)},_progressiveQuickSort:function(e){var t=this._zList,r=this.indices;this._quickSort=this._quickSort||new wa,this._quickSort.step(r,function(i,n){return t[n]-t[i]},e)}};var cl=`@export ecgl.sdfSprite.vertex

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform float elapsedTime : 0;

attribute vec3 position : POSITION;

#ifdef VERTEX_SIZE
attribute float size;
#else
uniform float u_Size;
#endif

#ifdef VERTEX_COLOR
attribute vec4 a_FillColor: COLOR;
varying vec4 v_Color;
#endif

#ifdef VERTEX_ANIMATION
attribute vec3 prevPosition;
attribute float prevSize;
uniform float percent : 1.0;
#endif


#ifdef POSITIONTEXTURE_ENABLED
uniform sampler2D positionTexture;
#endif

varying float v_Size;

void main()
{

#ifdef POSITIONTEXTURE_ENABLED
 gl_Position = worldViewProjection * vec4(texture2D(positionTexture, position.xy).xy, -10.0, 1.0);
#else

 #ifdef VERTEX_ANIMATION
 vec3 pos = mix(prevPosition, position, percent);
 #else
 vec3 pos = position;
 #endif
 gl_Position = worldViewProjection * vec4(pos, 1.0);
#endif

#ifdef VERTEX_SIZE
#ifdef VERTEX_ANIMATION
 v_Size = mix(prevSize, size, percent);
#else
 v_Size = size;
#endif
#else
 v_Size = u_Size;
#endif

#ifdef VERTEX_COLOR
 v_Color = a_FillColor;
 #endif

 gl_PointSize = v_Size;
}

@end

@export ecgl.sdfSprite.fragment

uniform vec4 color: [1, 1, 1, 1];
uniform vec4 strokeColor: [1, 1, 1, 1];
uniform float smoothing: 0.07;

uniform float lineWidth: 0.0;

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif

varying float v_Size;

uniform sampler2D sprite;

@import clay.util.srgb

void main()
{
 gl_FragColor = color;

 vec4 _strokeColor = strokeColor;

#ifdef VERTEX_COLOR
 gl_FragColor *= v_Color;
 #endif

#ifdef SPRITE_ENABLED
 float d = texture2D(sprite, gl_PointCoord).r;
 gl_FragColor.a *= smoothstep(0.5 - smoothing, 0.5 + smoothing, d);

 if (lineWidth > 0.0) {
 float sLineWidth = lineWidth / 2.0;

 float outlineMaxValue0 = 0.5 + sLineWidth;
 float outlineMaxValue1 = 0.5 + sLineWidth + smoothing;
 float outlineMinValue0 = 0.5 - sLineWidth - smoothing;
 float outlineMinValue1 = 0.5 - sLineWidth;

 if (d <= outlineMaxValue1 && d >= outlineMinValue0) {
 float a = _strokeColor.a;
 if (d <= outlineMinValue1) {
 a = a * smoothstep(outlineMinValue0, outlineMinValue1, d);
 }
 else {
 a = a * smoothstep(outlineMaxValue1, outlineMaxValue0, d);
 }
 gl_FragColor.rgb = mix(gl_FragColor.rgb * gl_FragColor.a, _strokeColor.rgb, a);
 gl_FragColor.a = gl_FragColor.a * (1.0 - a) + a;
 }
 }
#endif

#ifdef SRGB_DECODE
 gl_FragColor = sRGBToLinear(gl_FragColor);
#endif
}
@end`;var ba=tt.vec4;b.Shader.import(cl);var rd=b.Mesh.extend(function(){var e=new b.Geometry({dynamic:!0,attributes:{color:new b.Geometry.Attribute("color","float",4,"COLOR"),position:new b.Geometry.Attribute("position","float",3,"POSITION"),size:new b.Geometry.Attribute("size","float",1),prevPosition:new b.Geometry.Attribute("prevPosition","float",3),prevSize:new b.Geometry.Attribute("prevSize","float",1)}});Object.assign(e,ul);var t=new b.Material({shader:b.createShader("ecgl.sdfSprite"),transparent:!0,depthMask:!1});t.enableTexture("sprite"),t.define("both","VERTEX_COLOR"),t.define("both","VERTEX_SIZE");var r=new b.Texture2D({image:document.createElement("canvas"),flipY:!1});return t.set("sprite",r),e.pick=this._pick.bind(this),{geometry:e,material:t,mode:b.Mesh.POINTS,sizeScale:1}},{_pick:function(e,t,r,i,n,a){var o=this._positionNDC;if(o)for(var s=r.viewport,f=2/s.width,l=2/s.height,u=this.geometry.vertexCount-1;u>=0;u--){var c;this.geometry.indices?c=this.geometry.indices[u]:c=u;var d=o[c*2],h=o[c*2+1],m=this.geometry.attributes.size.get(c)/this.sizeScale,p=m/2;if(e>d-p*f&&e<d+p*f&&t>h-p*l&&t<h+p*l){var v=new b.Vector3,_=new b.Vector3;this.geometry.attributes.position.get(c,v.array),b.Vector3.transformMat4(_,v,this.worldTransform),a.push({vertexIndex:c,point:v,pointWorld:_,target:this,distance:_.distance(i.getWorldPosition())})}}},updateNDCPosition:function(e,t,r){var i=this._positionNDC,n=this.geometry;(!i||i.length/2!==n.vertexCount)&&(i=this._positionNDC=new Float32Array(n.vertexCount*2));for(var a=ba.create(),o=0;o<n.vertexCount;o++)n.attributes.position.get(o,a),a[3]=1,ba.transformMat4(a,a,e.array),ba.scale(a,a,1/a[3]),i[o*2]=a[0],i[o*2+1]=a[1]}}),hl=rd;function nn(e,t,r,i,n,a,o){this._zr=e,this._x=0,this._y=0,this._rowHeight=0,this.width=i,this.height=n,this.offsetX=t,this.offsetY=r,this.dpr=o,this.gap=a}nn.prototype={constructor:nn,clear:function(){this._x=0,this._y=0,this._rowHeight=0},add:function(e,t,r){var i=e.getBoundingRect();t==null&&(t=i.width),r==null&&(r=i.height),t*=this.dpr,r*=this.dpr,this._fitElement(e,t,r);var n=this._x,a=this._y,o=this.width*this.dpr,s=this.height*this.dpr,f=this.gap;if(n+t+f>o&&(n=this._x=0,a+=this._rowHeight+f,this._y=a,this._rowHeight=0),this._x+=t+f,this._rowHeight=Math.max(this._rowHeight,r),a+r+f>s)return null;e.x+=this.offsetX*this.dpr+n,e.y+=this.offsetY*this.dpr+a,this._zr.add(e);var l=[this.offsetX/this.width,this.offsetY/this.height],u=[[n/o+l[0],a/s+l[1]],[(n+t)/o+l[0],(a+r)/s+l[1]]];return u},_fitElement:function(e,t,r){var i=e.getBoundingRect(),n=t/i.width,a=r/i.height;e.x=-i.x*n,e.y=-i.y*a,e.scaleX=n,e.scaleY=a,e.update()}};function dl(e){e=e||{},e.width=e.width||512,e.height=e.height||512,e.devicePixelRatio=e.devicePixelRatio||1,e.gap=e.gap==null?2:e.gap;var t=document.createElement("canvas");t.width=e.width*e.devicePixelRatio,t.height=e.height*e.devicePixelRatio,this._canvas=t,this._texture=new X({image:t,flipY:!1});var r=this;this._zr=un.init(t),Oi(this._zr,function(){r._texture.dirty(),r.onupdate&&r.onupdate()}),this._dpr=e.devicePixelRatio,this._coords={},this.onupdate=e.onupdate,this._gap=e.gap,this._textureAtlasNodes=[new nn(this._zr,0,0,e.width,e.height,this._gap,this._dpr)],this._nodeWidth=e.width,this._nodeHeight=e.height,this._currentNodeIdx=0}dl.prototype={clear:function(){for(var e=0;e<this._textureAtlasNodes.length;e++)this._textureAtlasNodes[e].clear();this._currentNodeIdx=0,this._zr.clear(),this._coords={}},getWidth:function(){return this._width},getHeight:function(){return this._height},getTexture:function(){return this._texture},getDevicePixelRatio:function(){return this._dpr},getZr:function(){return this._zr},_getCurrentNode:function(){return this._textureAtlasNodes[this._currentNodeIdx]},_expand:function(){if(this._currentNodeIdx++,this._textureAtlasNodes[this._currentNodeIdx])return this._textureAtlasNodes[this._currentNodeIdx];var e=4096/this._dpr,t=this._textureAtlasNodes,r=t.length,i=r*this._nodeWidth%e,n=Math.floor(r*this._nodeWidth/e)*this._nodeHeight;if(!(n>=e)){var a=(i+this._nodeWidth)*this._dpr,o=(n+this._nodeHeight)*this._dpr;try{this._zr.resize({width:a,height:o})}catch{this._canvas.width=a,this._canvas.height=o}var s=new nn(this._zr,i,n,this._nodeWidth,this._nodeHeight,this._gap,this._dpr);return this._textureAtlasNodes.push(s),s}},add:function(e,t,r){if(this._coords[e.id])return this._coords[e.id];var i=this._getCurrentNode().add(e,t,r);if(!i){var n=this._expand();if(!n)return;i=n.add(e,t,r)}return this._coords[e.id]=i,i},getCoordsScale:function(){var e=this._dpr;return[this._nodeWidth/this._canvas.width*e,this._nodeHeight/this._canvas.height*e]},getCoords:function(e){return this._coords[e]},dispose:function(){this._zr.dispose()}};var ml=dl;var pl=[0,1,2,0,2,3],vl=Te.extend(function(){return{attributes:{position:new Te.Attribute("position","float",3,"POSITION"),texcoord:new Te.Attribute("texcoord","float",2,"TEXCOORD_0"),offset:new Te.Attribute("offset","float",2),color:new Te.Attribute("color","float",4,"COLOR")}}},{resetOffset:function(){this._vertexOffset=0,this._faceOffset=0},setSpriteCount:function(e){this._spriteCount=e;var t=e*4,r=e*2;this.vertexCount!==t&&(this.attributes.position.init(t),this.attributes.offset.init(t),this.attributes.color.init(t)),this.triangleCount!==r&&(this.indices=t>65535?new Uint32Array(r*3):new Uint16Array(r*3))},setSpriteAlign:function(e,t,r,i,n){r==null&&(r="left"),i==null&&(i="top");var a,o,s,f;switch(n=n||0,r){case"left":a=n,s=t[0]+n;break;case"center":case"middle":a=-t[0]/2,s=t[0]/2;break;case"right":a=-t[0]-n,s=-n;break}switch(i){case"bottom":o=n,f=t[1]+n;break;case"middle":o=-t[1]/2,f=t[1]/2;break;case"top":o=-t[1]-n,f=-n;break}var l=e*4,u=this.attributes.offset;u.set(l,[a,f]),u.set(l+1,[s,f]),u.set(l+2,[s,o]),u.set(l+3,[a,o])},addSprite:function(e,t,r,i,n,a){var o=this._vertexOffset;this.setSprite(this._vertexOffset/4,e,t,r,i,n,a);for(var s=0;s<pl.length;s++)this.indices[this._faceOffset*3+s]=pl[s]+o;return this._faceOffset+=2,this._vertexOffset+=4,o/4},setSprite:function(e,t,r,i,n,a,o){for(var s=e*4,f=this.attributes,l=0;l<4;l++)f.position.set(s+l,t);var u=f.texcoord;u.set(s,[i[0][0],i[0][1]]),u.set(s+1,[i[1][0],i[0][1]]),u.set(s+2,[i[1][0],i[1][1]]),u.set(s+3,[i[0][0],i[1][1]]),this.setSpriteAlign(e,r,n,a,o)}});te.defaults(vl.prototype,$i);var _l=vl;var gl=`@export ecgl.labels.vertex

attribute vec3 position: POSITION;
attribute vec2 texcoord: TEXCOORD_0;
attribute vec2 offset;
#ifdef VERTEX_COLOR
attribute vec4 a_Color : COLOR;
varying vec4 v_Color;
#endif

uniform mat4 worldViewProjection : WORLDVIEWPROJECTION;
uniform vec4 viewport : VIEWPORT;

varying vec2 v_Texcoord;

void main()
{
 vec4 proj = worldViewProjection * vec4(position, 1.0);

 vec2 screen = (proj.xy / abs(proj.w) + 1.0) * 0.5 * viewport.zw;

 screen += offset;

 proj.xy = (screen / viewport.zw - 0.5) * 2.0 * abs(proj.w);
 gl_Position = proj;
#ifdef VERTEX_COLOR
 v_Color = a_Color;
#endif
 v_Texcoord = texcoord;
}
@end


@export ecgl.labels.fragment

uniform vec3 color : [1.0, 1.0, 1.0];
uniform float alpha : 1.0;
uniform sampler2D textureAtlas;
uniform vec2 uvScale: [1.0, 1.0];

#ifdef VERTEX_COLOR
varying vec4 v_Color;
#endif
varying float v_Miter;

varying vec2 v_Texcoord;

void main()
{
 gl_FragColor = vec4(color, alpha) * texture2D(textureAtlas, v_Texcoord * uvScale);
#ifdef VERTEX_COLOR
 gl_FragColor *= v_Color;
#endif
}

@end`;b.Shader.import(gl);var yl=b.Mesh.extend(function(){var e=new _l({dynamic:!0}),t=new b.Material({shader:b.createShader("ecgl.labels"),transparent:!0,depthMask:!1});return{geometry:e,material:t,culling:!1,castShadow:!1,ignorePicking:!0}});var xl=1,Tl=2;function sr(e,t,r){this._labelsMesh=new yl,this._labelTextureSurface=new ml({width:512,height:512,devicePixelRatio:r.getDevicePixelRatio(),onupdate:function(){r.getZr().refresh()}}),this._api=r,this._labelsMesh.material.set("textureAtlas",this._labelTextureSurface.getTexture())}sr.prototype.getLabelPosition=function(e,t,r){return[0,0,0]};sr.prototype.getLabelDistance=function(e,t,r){return 0};sr.prototype.getMesh=function(){return this._labelsMesh};sr.prototype.updateData=function(e,t,r){t==null&&(t=0),r==null&&(r=e.count()),(!this._labelsVisibilitiesBits||this._labelsVisibilitiesBits.length!==r-t)&&(this._labelsVisibilitiesBits=new Uint8Array(r-t));for(var i=["label","show"],n=["emphasis","label","show"],a=t;a<r;a++){var o=e.getItemModel(a),s=o.get(i),f=o.get(n);f==null&&(f=s);var l=(s?xl:0)|(f?Tl:0);this._labelsVisibilitiesBits[a-t]=l}this._start=t,this._end=r,this._data=e};sr.prototype.updateLabels=function(e){if(this._data){e=e||[];for(var t=e.length>0,r={},i=0;i<e.length;i++)r[e[i]]=!0;this._labelsMesh.geometry.convertToDynamicArray(!0),this._labelTextureSurface.clear();for(var n=["label"],a=["emphasis","label"],o=this._data.hostModel,s=this._data,f=o.getModel(n),l=o.getModel(a,f),u={left:"right",right:"left",top:"center",bottom:"center"},c={left:"middle",right:"middle",top:"bottom",bottom:"top"},d=this._start;d<this._end;d++){var h=!1;t&&r[d]&&(h=!0);var m=this._labelsVisibilitiesBits[d-this._start]&(h?Tl:xl);if(m){var p=s.getItemModel(d),v=p.getModel(h?a:n,h?l:f),_=v.get("distance")||0,x=v.get("position"),T=this._api.getDevicePixelRatio(),g=o.getFormattedLabel(d,h?"emphasis":"normal");if(g==null||g==="")return;var E=new qt.Text({style:ka(v,{text:g,fill:v.get("color")||ut(s,d)||"#000",align:"left",verticalAlign:"top",opacity:Ce.firstNotNull(v.get("opacity"),Et(s,d),1)})}),A=E.getBoundingRect(),R=1.2;A.height*=R;var w=this._labelTextureSurface.add(E),D=u[x]||"center",W=c[x]||"bottom";this._labelsMesh.geometry.addSprite(this.getLabelPosition(d,x,_),[A.width*T,A.height*T],w,D,W,this.getLabelDistance(d,x,_)*T)}}this._labelsMesh.material.set("uvScale",this._labelTextureSurface.getCoordsScale()),this._labelTextureSurface.getZr().refreshImmediately(),this._labelsMesh.geometry.convertToTypedArray(),this._labelsMesh.geometry.dirty()}};sr.prototype.dispose=function(){this._labelTextureSurface.dispose()};var El=sr;var Sl=20,Al=-10;function id(e,t){return e&&t&&e[0]===t[0]&&e[1]===t[1]}function Ca(e,t){this.rootNode=new b.Node,this.is2D=e,this._labelsBuilder=new El(256,256,t),this._labelsBuilder.getMesh().renderOrder=100,this.rootNode.add(this._labelsBuilder.getMesh()),this._api=t,this._spriteImageCanvas=document.createElement("canvas"),this._startDataIndex=0,this._endDataIndex=0,this._sizeScale=1}Ca.prototype={constructor:Ca,highlightOnMouseover:!0,update:function(e,t,r,i,n){var a=this._prevMesh;this._prevMesh=this._mesh,this._mesh=a;var o=e.getData();if(i==null&&(i=0),n==null&&(n=o.count()),this._startDataIndex=i,this._endDataIndex=n-1,!this._mesh){var s=this._prevMesh&&this._prevMesh.material;this._mesh=new hl({renderOrder:10,frustumCulling:!1}),s&&(this._mesh.material=s)}var s=this._mesh.material,f=this._mesh.geometry,l=f.attributes;this.rootNode.remove(this._prevMesh),this.rootNode.add(this._mesh),this._setPositionTextureToMesh(this._mesh,this._positionTexture);var u=this._getSymbolInfo(e,i,n),c=r.getDevicePixelRatio(),d=e.getModel("itemStyle").getItemStyle(),h=e.get("large"),m=1;u.maxSize>2?(m=this._updateSymbolSprite(e,d,u,c),s.enableTexture("sprite")):s.disableTexture("sprite"),l.position.init(n-i);var p=[];if(h){s.undefine("VERTEX_SIZE"),s.undefine("VERTEX_COLOR");var v=Jf(o),_=$f(o);b.parseColor(v,p),p[3]*=_,s.set({color:p,u_Size:u.maxSize*this._sizeScale})}else s.set({color:[1,1,1,1]}),s.define("VERTEX_SIZE"),s.define("VERTEX_COLOR"),l.size.init(n-i),l.color.init(n-i),this._originalOpacity=new Float32Array(n-i);for(var x=o.getLayout("points"),T=l.position.value,g=!1,E=0;E<n-i;E++){var A=E*3,R=E*2;if(this.is2D?(T[A]=x[R],T[A+1]=x[R+1],T[A+2]=Al):(T[A]=x[A],T[A+1]=x[A+1],T[A+2]=x[A+2]),!h){var v=ut(o,E),_=Et(o,E);b.parseColor(v,p),p[3]*=_,l.color.set(E,p),p[3]<.99&&(g=!0);var w=o.getItemVisual(E,"symbolSize");w=w instanceof Array?Math.max(w[0],w[1]):w,isNaN(w)&&(w=0),l.size.value[E]=w*m*this._sizeScale,this._originalOpacity[E]=p[3]}}this._mesh.sizeScale=m,f.updateBoundingBox(),f.dirty(),this._updateMaterial(e,d);var D=e.coordinateSystem;if(D&&D.viewGL){var W=D.viewGL.isLinearSpace()?"define":"undefine";s[W]("fragment","SRGB_DECODE")}h||this._updateLabelBuilder(e,i,n),this._updateHandler(e,t,r),this._updateAnimation(e),this._api=r},getPointsMesh:function(){return this._mesh},updateLabels:function(e){this._labelsBuilder.updateLabels(e)},hideLabels:function(){this.rootNode.remove(this._labelsBuilder.getMesh())},showLabels:function(){this.rootNode.add(this._labelsBuilder.getMesh())},dispose:function(){this._labelsBuilder.dispose()},_updateSymbolSprite:function(e,t,r,i){r.maxSize=Math.min(r.maxSize*2,200);var n=[];return r.aspect>1?(n[0]=r.maxSize,n[1]=r.maxSize/r.aspect):(n[1]=r.maxSize,n[0]=r.maxSize*r.aspect),n[0]=n[0]||1,n[1]=n[1]||1,(this._symbolType!==r.type||!id(this._symbolSize,n)||this._lineWidth!==t.lineWidth)&&(Ea.createSymbolSprite(r.type,n,{fill:"#fff",lineWidth:t.lineWidth,stroke:"transparent",shadowColor:"transparent",minMargin:Math.min(n[0]/2,10)},this._spriteImageCanvas),Ea.createSDFFromCanvas(this._spriteImageCanvas,Math.min(this._spriteImageCanvas.width,32),Sl,this._mesh.material.get("sprite").image),this._symbolType=r.type,this._symbolSize=n,this._lineWidth=t.lineWidth),this._spriteImageCanvas.width/r.maxSize*i},_updateMaterial:function(e,t){var r=e.get("blendMode")==="lighter"?b.additiveBlend:null,i=this._mesh.material;i.blend=r,i.set("lineWidth",t.lineWidth/Sl);var n=b.parseColor(t.stroke);i.set("strokeColor",n),i.transparent=!0,i.depthMask=!1,i.depthTest=!this.is2D,i.sortVertices=!this.is2D},_updateLabelBuilder:function(e,o,r){var i=e.getData(),n=this._mesh.geometry,a=n.attributes.position.value,o=this._startDataIndex,s=this._mesh.sizeScale;this._labelsBuilder.updateData(i,o,r),this._labelsBuilder.getLabelPosition=function(f,l,u){var c=(f-o)*3;return[a[c],a[c+1],a[c+2]]},this._labelsBuilder.getLabelDistance=function(f,l,u){var c=n.attributes.size.get(f-o)/s;return c/2+u},this._labelsBuilder.updateLabels()},_updateAnimation:function(e){b.updateVertexAnimation([["prevPosition","position"],["prevSize","size"]],this._prevMesh,this._mesh,e)},_updateHandler:function(e,t,r){var i=e.getData(),n=this._mesh,a=this,o=-1,s=e.coordinateSystem&&e.coordinateSystem.type==="cartesian3D",f;s&&(f=e.coordinateSystem.model),n.seriesIndex=e.seriesIndex,n.off("mousemove"),n.off("mouseout"),n.on("mousemove",function(l){var u=l.vertexIndex+a._startDataIndex;u!==o&&(this.highlightOnMouseover&&(this.downplay(i,o),this.highlight(i,u),this._labelsBuilder.updateLabels([u])),s&&r.dispatchAction({type:"grid3DShowAxisPointer",value:[i.get(e.coordDimToDataDim("x")[0],u),i.get(e.coordDimToDataDim("y")[0],u),i.get(e.coordDimToDataDim("z")[0],u)],grid3DIndex:f.componentIndex})),n.dataIndex=u,o=u},this),n.on("mouseout",function(l){var u=l.vertexIndex+a._startDataIndex;this.highlightOnMouseover&&(this.downplay(i,u),this._labelsBuilder.updateLabels()),o=-1,n.dataIndex=-1,s&&r.dispatchAction({type:"grid3DHideAxisPointer",grid3DIndex:f.componentIndex})},this)},updateLayout:function(e,t,r){var i=e.getData();if(this._mesh){var n=this._mesh.geometry.attributes.position.value,a=i.getLayout("points");if(this.is2D)for(var o=0;o<a.length/2;o++){var s=o*3,f=o*2;n[s]=a[f],n[s+1]=a[f+1],n[s+2]=Al}else for(var o=0;o<a.length;o++)n[o]=a[o];this._mesh.geometry.dirty(),r.getZr().refresh()}},updateView:function(e){if(this._mesh){var t=new O;O.mul(t,e.viewMatrix,this._mesh.worldTransform),O.mul(t,e.projectionMatrix,t),this._mesh.updateNDCPosition(t,this.is2D,this._api)}},highlight:function(e,t){if(!(t>this._endDataIndex||t<this._startDataIndex)){var r=e.getItemModel(t),i=r.getModel("emphasis.itemStyle"),n=i.get("color"),a=i.get("opacity");if(n==null){var o=ut(e,t);n=jt.lift(o,-.4)}a==null&&(a=Et(e,t));var s=b.parseColor(n);s[3]*=a,this._mesh.geometry.attributes.color.set(t-this._startDataIndex,s),this._mesh.geometry.dirtyAttribute("color"),this._api.getZr().refresh()}},downplay:function(e,t){if(!(t>this._endDataIndex||t<this._startDataIndex)){var r=ut(e,t),i=Et(e,t),n=b.parseColor(r);n[3]*=i,this._mesh.geometry.attributes.color.set(t-this._startDataIndex,n),this._mesh.geometry.dirtyAttribute("color"),this._api.getZr().refresh()}},fadeOutAll:function(e){if(this._originalOpacity){for(var t=this._mesh.geometry,r=0;r<t.vertexCount;r++){var i=this._originalOpacity[r]*e;t.attributes.color.value[r*4+3]=i}t.dirtyAttribute("color"),this._api.getZr().refresh()}},fadeInAll:function(){this.fadeOutAll(1)},setPositionTexture:function(e){this._mesh&&this._setPositionTextureToMesh(this._mesh,e),this._positionTexture=e},removePositionTexture:function(){this._positionTexture=null,this._mesh&&this._setPositionTextureToMesh(this._mesh,null)},setSizeScale:function(e){if(e!==this._sizeScale){if(this._mesh){var t=this._mesh.material.get("u_Size");this._mesh.material.set("u_Size",t/this._sizeScale*e);var r=this._mesh.geometry.attributes;if(r.size.value)for(var i=0;i<r.size.value.length;i++)r.size.value[i]=r.size.value[i]/this._sizeScale*e}this._sizeScale=e}},_setPositionTextureToMesh:function(e,t){t&&e.material.set("positionTexture",t),e.material[t?"enableTexture":"disableTexture"]("positionTexture")},_getSymbolInfo:function(e,t,r){if(e.get("large")){var i=Ce.firstNotNull(e.get("symbolSize"),1),l,a;return i instanceof Array?(l=Math.max(i[0],i[1]),a=i[0]/i[1]):(l=i,a=1),{maxSize:i,type:e.get("symbol"),aspect:a}}for(var n=e.getData(),a,o=!1,s=n.getItemVisual(0,"symbol")||"circle",f=!1,l=0,u=t;u<r;u++){var i=n.getItemVisual(u,"symbolSize"),c=n.getItemVisual(u,"symbol"),d;if(i instanceof Array)d=i[0]/i[1],l=Math.max(Math.max(i[0],i[1]),l);else{if(isNaN(i))continue;d=1,l=Math.max(i,l)}s=c,a=d}return{maxSize:l,type:s,aspect:a}}};var La=Ca;var wl=Ir.extend({type:"scatter3D",hasSymbolVisual:!0,__ecgl__:!0,init:function(e,t){this.groupGL=new b.Node,this._pointsBuilderList=[],this._currentStep=0},render:function(e,t,r){if(this.groupGL.removeAll(),!!e.getData().count()){var i=e.coordinateSystem;if(i&&i.viewGL){i.viewGL.add(this.groupGL),this._camera=i.viewGL.camera;var n=this._pointsBuilderList[0];n||(n=this._pointsBuilderList[0]=new La(!1,r)),this._pointsBuilderList.length=1,this.groupGL.add(n.rootNode),n.update(e,t,r),n.updateView(i.viewGL.camera)}}},incrementalPrepareRender:function(e,t,r){var i=e.coordinateSystem;i&&i.viewGL&&(i.viewGL.add(this.groupGL),this._camera=i.viewGL.camera),this.groupGL.removeAll(),this._currentStep=0},incrementalRender:function(e,t,r,i){if(!(e.end<=e.start)){var n=this._pointsBuilderList[this._currentStep];n||(n=new La(!1,i),this._pointsBuilderList[this._currentStep]=n),this.groupGL.add(n.rootNode),n.update(t,r,i,e.start,e.end),n.updateView(t.coordinateSystem.viewGL.camera),this._currentStep++}},updateCamera:function(){this._pointsBuilderList.forEach(function(e){e.updateView(this._camera)},this)},highlight:function(e,t,r,i){this._toggleStatus("highlight",e,t,r,i)},downplay:function(e,t,r,i){this._toggleStatus("downplay",e,t,r,i)},_toggleStatus:function(e,t,r,i,n){var a=t.getData(),o=Ce.queryDataIndex(a,n),s=e==="highlight";o!=null?te.each(tn.normalizeToArray(o),function(f){for(var l=0;l<this._pointsBuilderList.length;l++){var u=this._pointsBuilderList[l];s?u.highlight(a,f):u.downplay(a,f)}},this):a.each(function(f){for(var l=0;l<this._pointsBuilderList.length;l++){var u=this._pointsBuilderList[l];s?u.highlight(a,f):u.downplay(a,f)}})},dispose:function(){this._pointsBuilderList.forEach(function(e){e.dispose()}),this.groupGL.removeAll()},remove:function(){this.groupGL.removeAll()}});function bl(e){e.registerChartView(wl),e.registerSeriesModel(sl),e.registerLayout({seriesType:"scatter3D",reset:function(t){var r=t.coordinateSystem;if(r){var i=r.dimensions;if(i.length<3)return;var n=i.map(function(s){return t.coordDimToDataDim(s)[0]}),a=[],o=[];return{progress:function(s,f){for(var l=new Float32Array((s.end-s.start)*3),u=s.start;u<s.end;u++){var c=(u-s.start)*3;a[0]=f.get(n[0],u),a[1]=f.get(n[1],u),a[2]=f.get(n[2],u),r.dataToPoint(a,o),l[c]=o[0],l[c+1]=o[1],l[c+2]=o[2]}f.setLayout("points",l)}}}}})}Ka.use([Gf,nl,bl]);export{Ka as echarts};
