resource "kubernetes_service_account_v1" "ci" {
  metadata {
    name      = "ci"
    namespace = "build"
  }
}

resource "kubernetes_cluster_role_binding_v1" "ci_admin" {
  metadata {
    name = "ci-admin"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }
  subject { # expect: JEP106
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.ci.metadata[0].name
    namespace = "build"
  }
}

resource "kubernetes_role_v1" "reader" {
  metadata {
    name      = "reader"
    namespace = "build"
  }
  rule {
    api_groups = [""]
    resources  = ["*"] # expect: JEP104
    verbs      = ["get", "list"]
  }
}
