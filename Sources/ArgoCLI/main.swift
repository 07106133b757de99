print("argo")
