import ArgoLua
