"""Kubernetes objects as `kubectl get ... -o json|yaml` prints them (kind: List)."""

import copy

from common import (ACR_LOGIN, CLUSTER, ILB_IP, INGRESS_HOST, NODE_POOLS, guid, hexid, image_id,
                    image_ref, node_names, write_json, write_text, write_yaml)

_rv = [48211934]


def rv():
    _rv[0] += 137
    return str(_rv[0])


_rv_new = [48990001]


def rv_new():
    """Resource versions of the objects added for the CDE boundary, counted
    apart so that the other objects keep theirs."""
    _rv_new[0] += 113
    return str(_rv_new[0])


def kubectl_list(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def write_kjson(rel, items):
    # kubectl -o json: 4-space indent, keys in Go map order (sorted).
    write_json(rel, kubectl_list(items), indent=4, sort_keys=True)


def write_kyaml(rel, items):
    write_yaml(rel, kubectl_list(items))


# --------------------------------------------------------------------------
# Namespaces
# --------------------------------------------------------------------------

NAMESPACES = [
    ("default", "2026-03-10T14:20:11Z", {}),
    ("kube-node-lease", "2026-03-10T14:20:09Z", {}),
    ("kube-public", "2026-03-10T14:20:09Z", {}),
    ("kube-system", "2026-03-10T14:20:09Z", {"addonmanager.kubernetes.io/mode": "Reconcile",
                                             "control-plane": "true",
                                             "kubernetes.azure.com/managedby": "aks"}),
    ("gatekeeper-system", "2026-03-10T14:31:52Z", {
        "addonmanager.kubernetes.io/mode": "Reconcile",
        "admission.gatekeeper.sh/ignore": "no-self-managing",
        "control-plane": "controller-manager",
        "gatekeeper.sh/system": "yes",
        "pod-security.kubernetes.io/enforce": "privileged"}),
    ("aks-command", "2026-06-02T09:17:44Z", {}),
    ("falco-system", "2026-03-12T10:05:27Z", {
        "app.kubernetes.io/managed-by": "flux", "pci-scope": "connected",
        "pod-security.kubernetes.io/enforce": "privileged"}),
    ("istio-system", "2026-03-12T10:05:12Z", {
        "app.kubernetes.io/managed-by": "flux", "pci-scope": "connected",
        "pod-security.kubernetes.io/enforce": "baseline"}),
    ("a0005-i", "2026-03-12T10:06:03Z", {
        "app.kubernetes.io/managed-by": "flux", "istio-injection": "enabled", "pci-scope": "in-scope",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest"}),
    ("a0005-o", "2026-03-12T10:06:03Z", {
        "app.kubernetes.io/managed-by": "flux", "istio-injection": "enabled", "pci-scope": "out-of-scope",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted"}),
]


def namespaces():
    out = []
    for name, created, labels in NAMESPACES:
        all_labels = {"kubernetes.io/metadata.name": name}
        all_labels.update(labels)
        out.append({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "creationTimestamp": created,
                "labels": all_labels,
                "name": name,
                "resourceVersion": rv_new() if name == "istio-system" else rv(),
                "uid": guid("ns:" + name),
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        })
    return out


# --------------------------------------------------------------------------
# Network policies
# --------------------------------------------------------------------------

def netpol(ns, name, created, spec, version=None):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "creationTimestamp": created,
            "generation": 1,
            "labels": {"app.kubernetes.io/managed-by": "flux",
                       "kustomize.toolkit.fluxcd.io/name": "cluster-baseline-settings"},
            "name": name,
            "namespace": ns,
            "resourceVersion": version or rv(),
            "uid": guid(f"netpol:{ns}/{name}"),
        },
        "spec": spec,
    }


def default_deny(ns, created, version=None):
    return netpol(ns, "default-deny-all", created,
                  {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, version)


def allow_dns(ns, created, version=None):
    return netpol(ns, "allow-dns-egress", created, {
        "egress": [{
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        }],
        "podSelector": {},
        "policyTypes": ["Egress"],
    }, version)


def allow_istiod(ns, created):
    """Sidecars fetch their certificates and configuration from istiod."""
    return netpol(ns, "allow-istio-control-plane", created, {
        "egress": [{
            "ports": [{"port": 15012, "protocol": "TCP"}],
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
                    "podSelector": {"matchLabels": {"app": "istiod"}}}],
        }],
        "podSelector": {},
        "policyTypes": ["Egress"],
    }, rv_new())


def app(name):
    return {"matchLabels": {"app.kubernetes.io/name": name}}


def network_policies():
    t = "2026-03-12T10:06:41Z"
    t2 = "2026-10-06T08:12:19Z"
    t3 = "2026-06-02T09:30:41Z"
    ns_sel = lambda ns: {"kubernetes.io/metadata.name": ns}  # noqa: E731
    return [
        default_deny("default", t),
        default_deny("falco-system", t),
        netpol("falco-system", "allow-falco-egress-apiserver", t, {
            "egress": [{"ports": [{"port": 443, "protocol": "TCP"}],
                        "to": [{"ipBlock": {"cidr": "10.240.0.0/16"}}]}],
            "podSelector": app("falco"),
            "policyTypes": ["Egress"],
        }),
        allow_dns("falco-system", t),
        default_deny("a0005-i", t),
        allow_dns("a0005-i", t),
        netpol("a0005-i", "allow-ingress-controller-from-appgw", t2, {
            "ingress": [{"from": [{"ipBlock": {"cidr": "10.240.13.0/24"}}],
                         "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "podSelector": app("ingress-nginx"),
            "policyTypes": ["Ingress"],
        }),
        netpol("a0005-i", "allow-ingress-controller-egress", t2, {
            "egress": [
                {"ports": [{"port": 8443, "protocol": "TCP"}], "to": [{"podSelector": app("web-frontend")}]},
                # The API server's private endpoint sits in the system pool's subnet.
                {"ports": [{"port": 443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "10.240.0.0/22"}}]},
            ],
            "podSelector": app("ingress-nginx"),
            "policyTypes": ["Egress"],
        }),
        netpol("a0005-i", "allow-web-frontend", t2, {
            "egress": [{"ports": [{"port": 8443, "protocol": "TCP"}],
                        "to": [{"podSelector": app("microservice-a")}]}],
            "ingress": [{"from": [{"podSelector": app("ingress-nginx")}],
                         "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "podSelector": app("web-frontend"),
            "policyTypes": ["Ingress", "Egress"],
        }),
        netpol("a0005-i", "allow-microservice-a", t2, {
            "egress": [
                {"ports": [{"port": 8443, "protocol": "TCP"}], "to": [{"podSelector": app("microservice-c")}]},
                {"ports": [{"port": 8443, "protocol": "TCP"}],
                 "to": [{"namespaceSelector": {"matchLabels": ns_sel("a0005-o")},
                         "podSelector": app("microservice-b")}]},
                {"ports": [{"port": 443, "protocol": "TCP"}],
                 "to": [{"ipBlock": {"cidr": "0.0.0.0/0",
                                     "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}]},
            ],
            "ingress": [{"from": [{"podSelector": app("web-frontend")}],
                         "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "podSelector": app("microservice-a"),
            "policyTypes": ["Ingress", "Egress"],
        }),
        netpol("a0005-i", "allow-microservice-c", t2, {
            "egress": [{"ports": [{"port": 443, "protocol": "TCP"}],
                        "to": [{"ipBlock": {"cidr": "10.240.14.0/28"}}]}],
            "ingress": [{"from": [{"podSelector": app("microservice-a")}],
                         "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "podSelector": app("microservice-c"),
            "policyTypes": ["Ingress", "Egress"],
        }),
        netpol("a0005-i", "allow-metrics-scraping", t2, {
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": ns_sel("kube-system")},
                                   "podSelector": {"matchLabels": {"rsName": "ama-metrics"}}}],
                         "ports": [{"port": 10254, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}]}],
            "podSelector": {},
            "policyTypes": ["Ingress"],
        }),
        allow_istiod("a0005-i", t3),
        default_deny("a0005-o", t),
        allow_dns("a0005-o", t),
        allow_istiod("a0005-o", t3),
        default_deny("istio-system", t3, rv_new()),
        allow_dns("istio-system", t3, rv_new()),
        netpol("istio-system", "allow-istiod", t3, {
            "egress": [{"ports": [{"port": 443, "protocol": "TCP"}],
                        "to": [{"ipBlock": {"cidr": "10.240.0.0/22"}}]}],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"istio-injection": "enabled"}}}],
                         "ports": [{"port": 15012, "protocol": "TCP"}, {"port": 15017, "protocol": "TCP"}]}],
            "podSelector": {"matchLabels": {"app": "istiod"}},
            "policyTypes": ["Ingress", "Egress"],
        }, rv_new()),
        netpol("a0005-o", "allow-microservice-b", t2, {
            "egress": [{"ports": [{"port": 443, "protocol": "TCP"}],
                        "to": [{"ipBlock": {"cidr": "0.0.0.0/0",
                                            "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}]}],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": ns_sel("a0005-i")},
                                   "podSelector": app("microservice-a")}],
                         "ports": [{"port": 8443, "protocol": "TCP"}]}],
            "podSelector": app("microservice-b"),
            "policyTypes": ["Ingress", "Egress"],
        }),
    ]


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------

RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
}


def probe(path, port, scheme="HTTPS", initial=5):
    return {"failureThreshold": 3,
            "httpGet": {"path": path, "port": port, "scheme": scheme},
            "initialDelaySeconds": initial, "periodSeconds": 10, "successThreshold": 1,
            "timeoutSeconds": 2}


def app_container(key, name, env, security=None, cpu=("100m", "500m"), mem=("128Mi", "256Mi")):
    return {
        "env": env,
        "image": image_ref(key),
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": probe("/healthz", 8443, initial=10),
        "name": name,
        "ports": [{"containerPort": 8443, "name": "https", "protocol": "TCP"}],
        "readinessProbe": probe("/readyz", 8443),
        "resources": {"limits": {"cpu": cpu[1], "memory": mem[1]},
                      "requests": {"cpu": cpu[0], "memory": mem[0]}},
        "securityContext": copy.deepcopy(security or RESTRICTED),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/mnt/secrets-store", "name": "secrets-store", "readOnly": True},
                         {"mountPath": "/tmp", "name": "tmp"}],
    }


def scope_toleration(scope):
    return [{"effect": "NoSchedule", "key": "pci-scope", "operator": "Equal", "value": scope}]


def pod_spec(containers, pool, scope, sa, automount=False, volumes=None):
    return {
        "automountServiceAccountToken": automount,
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "nodeSelector": {"agentpool": pool},
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 10001, "runAsNonRoot": True,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "serviceAccountName": sa,
        "terminationGracePeriodSeconds": 30,
        "tolerations": scope_toleration(scope),
        "volumes": volumes if volumes is not None else [
            {"csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                     "volumeAttributes": {"secretProviderClass": sa + "-secrets"}},
             "name": "secrets-store"},
            {"emptyDir": {"sizeLimit": "64Mi"}, "name": "tmp"},
        ],
    }


def labels(name, scope, version, component="api"):
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "a0005",
            "app.kubernetes.io/version": version, "app.kubernetes.io/component": component,
            "pci-scope": scope}


# (namespace, name, image key, replicas, pool, scope, version, created, pod template spec)
def workload_specs():
    env_a = [{"name": "LISTEN_ADDR", "value": ":8443"},
             {"name": "MICROSERVICE_C_URL", "value": "https://microservice-c.a0005-i.svc.cluster.local"},
             {"name": "ADDRESS_LOOKUP_URL", "value": "https://microservice-b.a0005-o.svc.cluster.local"},
             {"name": "ACQUIRER_API_URL", "value": "https://api.acquirer-gateway.example/v3/authorisations"}]
    env_web = [{"name": "LISTEN_ADDR", "value": ":8443"},
               {"name": "API_BASE_URL", "value": "https://microservice-a.a0005-i.svc.cluster.local"}]
    env_c = [{"name": "LISTEN_ADDR", "value": ":8443"},
             {"name": "KEYVAULT_URI", "value": "https://kv-aks-h7lq2xwk4pzr6.vault.azure.net/"},
             {"name": "TOKENIZATION_KEY_NAME", "value": "pan-tokenization-key"}]
    env_b = [{"name": "LISTEN_ADDR", "value": ":8443"},
             {"name": "PROVIDER_BASE_URL", "value": "https://api.addressverify.example/v2"},
             {"name": "PYTHONUNBUFFERED", "value": "1"}]
    # The deliberate gap: the out-of-scope container drops only NET_RAW.
    b_security = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["NET_RAW"]},
        "readOnlyRootFilesystem": False,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
    }
    ingress_security = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": False,
        "runAsGroup": 82,
        "runAsNonRoot": True,
        "runAsUser": 101,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    ingress = {
        "args": ["/nginx-ingress-controller",
                 "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                 "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx",
                 "--ingress-class=nginx", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                 "--watch-namespace=a0005-i", "--http-port=8080", "--https-port=8443",
                 "--validating-webhook=:9443",
                 "--validating-webhook-certificate=/usr/local/certificates/cert",
                 "--validating-webhook-key=/usr/local/certificates/key",
                 "--default-ssl-certificate=a0005-i/web-frontend-ingress-tls", "--enable-metrics=true"],
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                {"name": "POD_NAMESPACE",
                 "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                {"name": "LD_PRELOAD", "value": "/usr/local/lib/libmimalloc.so"}],
        "image": image_ref("ingress-nginx-controller"),
        "imagePullPolicy": "IfNotPresent",
        "lifecycle": {"preStop": {"exec": {"command": ["/wait-shutdown"]}}},
        "livenessProbe": probe("/healthz", 10254, scheme="HTTP", initial=10),
        "name": "controller",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                  {"containerPort": 8443, "name": "https", "protocol": "TCP"},
                  {"containerPort": 10254, "name": "metrics", "protocol": "TCP"},
                  {"containerPort": 9443, "name": "webhook", "protocol": "TCP"}],
        "readinessProbe": probe("/healthz", 10254, scheme="HTTP", initial=10),
        "resources": {"limits": {"cpu": "1", "memory": "512Mi"},
                      "requests": {"cpu": "200m", "memory": "256Mi"}},
        "securityContext": ingress_security,
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/usr/local/certificates/", "name": "webhook-cert", "readOnly": True},
                         {"mountPath": "/mnt/secrets-store", "name": "secrets-store", "readOnly": True}],
    }
    ingress_volumes = [
        {"name": "webhook-cert", "secret": {"defaultMode": 420, "secretName": "ingress-nginx-admission"}},
        {"csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                 "volumeAttributes": {"secretProviderClass": "ingress-nginx-tls"}},
         "name": "secrets-store"},
    ]
    ingress_spec = pod_spec([ingress], "npinscope01", "in-scope", "ingress-nginx", automount=True,
                            volumes=ingress_volumes)
    ingress_spec["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    ingress_spec["terminationGracePeriodSeconds"] = 300
    return [
        ("a0005-i", "ingress-nginx-controller", "ingress-nginx-controller", 2, "npinscope01", "in-scope",
         "1.13.3", "2026-10-06T08:14:02Z", ingress_spec, "ingress-nginx", "controller"),
        ("a0005-i", "web-frontend", "web-frontend", 2, "npinscope01", "in-scope", "1.8.2",
         "2026-10-06T08:15:37Z",
         pod_spec([app_container("web-frontend", "web-frontend", env_web)], "npinscope01", "in-scope",
                  "web-frontend"), "web-frontend", "frontend"),
        ("a0005-i", "microservice-a", "microservice-a", 2, "npinscope01", "in-scope", "2.4.0",
         "2026-10-06T08:15:39Z",
         pod_spec([app_container("microservice-a", "microservice-a", env_a)], "npinscope01", "in-scope",
                  "microservice-a"), "microservice-a", "api"),
        ("a0005-i", "microservice-c", "microservice-c", 1, "npinscope01", "in-scope", "1.3.1",
         "2026-10-06T08:15:41Z",
         pod_spec([app_container("microservice-c", "microservice-c", env_c)], "npinscope01", "in-scope",
                  "microservice-c"), "microservice-c", "tokenizer"),
        ("a0005-o", "microservice-b", "microservice-b", 2, "npooscope01", "out-of-scope", "3.1.4",
         "2026-10-06T08:16:05Z",
         pod_spec([app_container("microservice-b", "microservice-b", env_b, security=b_security,
                                 mem=("192Mi", "384Mi"))], "npooscope01", "out-of-scope",
                  "microservice-b"), "microservice-b", "address-lookup"),
    ]


def template_hash(ns, name):
    return pod_suffix(f"rs:{ns}/{name}", 10)


def deployments():
    out = []
    for ns, name, key, replicas, pool, scope, version, created, spec, app_name, component in workload_specs():
        lbl = labels(app_name, scope, version, component)
        generation = 4
        out.append({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": {"deployment.kubernetes.io/revision": "3"},
                "creationTimestamp": created,
                "generation": generation,
                "labels": dict(lbl, **{"app.kubernetes.io/managed-by": "flux"}),
                "name": name,
                "namespace": ns,
                "resourceVersion": rv(),
                "uid": guid(f"deploy:{ns}/{name}"),
            },
            "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": replicas,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": {"app.kubernetes.io/name": app_name}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                             "type": "RollingUpdate"},
                "template": {"metadata": {"creationTimestamp": None, "labels": lbl}, "spec": spec},
            },
            "status": {
                "availableReplicas": replicas,
                "conditions": [
                    {"lastTransitionTime": "2026-11-10T02:41:18Z", "lastUpdateTime": "2026-11-10T02:41:18Z",
                     "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
                     "status": "True", "type": "Available"},
                    {"lastTransitionTime": created, "lastUpdateTime": "2026-11-03T09:02:44Z",
                     "message": f'ReplicaSet "{name}-{template_hash(ns, name)}" has successfully progressed.',
                     "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"},
                ],
                "observedGeneration": generation,
                "readyReplicas": replicas,
                "replicas": replicas,
                "updatedReplicas": replicas,
            },
        })
    return out


FALCO_SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"add": ["BPF", "SYS_RESOURCE", "PERFMON", "SYS_PTRACE"], "drop": ["ALL"]},
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "runAsUser": 0,
}


def falco_pod_spec():
    return {
        "automountServiceAccountToken": True,
        "containers": [{
            "args": ["/usr/bin/falco", "-o", "engine.kind=modern_ebpf", "-o", "json_output=true",
                     "-o", "json_include_output_property=true", "-o", "json_include_tags_property=true",
                     "-o", "stdout_output.enabled=true", "-o", "metrics.enabled=false"],
            "env": [{"name": "FALCO_HOSTNAME",
                     "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                    {"name": "FALCO_K8S_NODE_NAME",
                     "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
            "image": image_ref("falco"),
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": 8765, "scheme": "HTTP"},
                              "initialDelaySeconds": 60, "periodSeconds": 15, "successThreshold": 1,
                              "timeoutSeconds": 5},
            "name": "falco",
            "readinessProbe": {"failureThreshold": 3, "httpGet": {"path": "/healthz", "port": 8765, "scheme": "HTTP"},
                               "initialDelaySeconds": 30, "periodSeconds": 15, "successThreshold": 1,
                               "timeoutSeconds": 5},
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m", "memory": "512Mi"}},
            "securityContext": copy.deepcopy(FALCO_SECURITY),
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [
                {"mountPath": "/etc/falco", "name": "rulesfiles-install-dir"},
                {"mountPath": "/root/.falco", "name": "root-falco-fs"},
                {"mountPath": "/host/proc", "name": "proc-fs", "readOnly": True},
                {"mountPath": "/host/etc", "name": "etc-fs", "readOnly": True},
                {"mountPath": "/host/run/containerd/containerd.sock", "name": "containerd-socket"},
                {"mountPath": "/etc/falco/falco.yaml", "name": "falco-yaml", "subPath": "falco.yaml"},
            ],
        }],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "serviceAccountName": "falco",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [{"effect": "NoSchedule", "operator": "Exists"}],
        "volumes": [
            {"emptyDir": {}, "name": "rulesfiles-install-dir"},
            {"emptyDir": {}, "name": "root-falco-fs"},
            {"hostPath": {"path": "/proc", "type": ""}, "name": "proc-fs"},
            {"hostPath": {"path": "/etc", "type": ""}, "name": "etc-fs"},
            {"hostPath": {"path": "/run/containerd/containerd.sock", "type": ""}, "name": "containerd-socket"},
            {"configMap": {"defaultMode": 420, "items": [{"key": "falco.yaml", "path": "falco.yaml"}],
                           "name": "falco"}, "name": "falco-yaml"},
        ],
    }


FALCO_LABELS = {"app.kubernetes.io/instance": "falco", "app.kubernetes.io/name": "falco"}


def daemonsets():
    n = len(node_names())
    return [{
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {
            "annotations": {"deprecated.daemonset.template.generation": "5"},
            "creationTimestamp": "2026-03-12T10:07:55Z",
            "generation": 5,
            "labels": dict(FALCO_LABELS, **{"app.kubernetes.io/managed-by": "Helm",
                                            "app.kubernetes.io/version": "0.41.3",
                                            "helm.sh/chart": "falco-6.2.1"}),
            "name": "falco",
            "namespace": "falco-system",
            "resourceVersion": rv(),
            "uid": guid("ds:falco-system/falco"),
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": dict(FALCO_LABELS)},
            "template": {"metadata": {"annotations": {"checksum/config": hexid("falco-config", 64)},
                                      "creationTimestamp": None, "labels": dict(FALCO_LABELS)},
                         "spec": falco_pod_spec()},
            "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"},
        },
        "status": {
            "currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": n,
            "numberMisscheduled": 0, "numberReady": n, "observedGeneration": 5, "updatedNumberScheduled": n,
        },
    }]


# --------------------------------------------------------------------------
# Pods
# --------------------------------------------------------------------------

POD_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def pod_suffix(seed, n=5):
    h = hexid(seed, 2 * n)
    return "".join(POD_SUFFIX_CHARS[int(h[i:i + 2], 16) % len(POD_SUFFIX_CHARS)] for i in range(0, 2 * n, 2))


def pod_status(containers, node_ip, pod_ip, started, keys):
    statuses = []
    for c, key in zip(containers, keys):
        statuses.append({
            "containerID": "containerd://" + hexid("cid:" + pod_ip + c["name"], 64),
            "image": c["image"].split("@")[0],
            "imageID": image_id(key),
            "lastState": {},
            "name": c["name"],
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": started}},
        })
    return {
        "conditions": [
            {"lastProbeTime": None, "lastTransitionTime": started, "status": "True",
             "type": "PodReadyToStartContainers"},
            {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "Initialized"},
            {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "Ready"},
            {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "ContainersReady"},
            {"lastProbeTime": None, "lastTransitionTime": started, "status": "True", "type": "PodScheduled"},
        ],
        "containerStatuses": statuses,
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "phase": "Running",
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "qosClass": "Burstable",
        "startTime": started,
    }


def with_runtime_fields(spec, node, sa_automount):
    spec = copy.deepcopy(spec)
    spec["enableServiceLinks"] = True
    spec["nodeName"] = node
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    spec["priority"] = 0
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec["tolerations"] = spec["tolerations"] + [
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
         "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
         "tolerationSeconds": 300},
    ]
    if sa_automount:
        token_volume = "kube-api-access-" + pod_suffix("token:" + node + spec["serviceAccountName"])
        spec["volumes"] = spec["volumes"] + [{
            "name": token_volume,
            "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                            "path": "namespace"}]}},
            ]},
        }]
        for c in spec["containers"]:
            c["volumeMounts"] = c["volumeMounts"] + [
                {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": token_volume,
                 "readOnly": True}]
    return spec


ISTIO_SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "runAsGroup": 1337,
    "runAsNonRoot": True,
    "runAsUser": 1337,
}


def inject_istio(pod, app_name):
    """What Istio's injector adds in CNI mode: the validation init container,
    the proxy, and the labels and annotations saying so."""
    spec = pod["spec"]
    proxy_args = ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                  "--proxyLogLevel=warning", "--proxyComponentLogLevel=misc:error", "--log_output_level=default:info"]
    spec["initContainers"] = [{
        "args": ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*",
                 "-x", "", "-b", "*", "-d", "15090,15021,15020", "--log_output_level=default:info",
                 "--run-validation", "--skip-rule-apply"],
        "image": image_ref("istio-proxy"),
        "imagePullPolicy": "IfNotPresent",
        "name": "istio-validation",
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "10m", "memory": "40Mi"}},
        "securityContext": dict(ISTIO_SECURITY),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }]
    spec["containers"] = spec["containers"] + [{
        "args": proxy_args,
        "env": [{"name": "PILOT_CERT_PROVIDER", "value": "istiod"},
                {"name": "CA_ADDR", "value": "istiod.istio-system.svc:15012"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                {"name": "POD_NAMESPACE",
                 "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
                {"name": "ISTIO_META_WORKLOAD_NAME", "value": app_name}],
        "image": image_ref("istio-proxy"),
        "imagePullPolicy": "IfNotPresent",
        "name": "istio-proxy",
        "ports": [{"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"}],
        "readinessProbe": {"failureThreshold": 4, "httpGet": {"path": "/healthz/ready", "port": 15021,
                                                               "scheme": "HTTP"},
                           "periodSeconds": 15, "successThreshold": 1, "timeoutSeconds": 3},
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "10m", "memory": "40Mi"}},
        "securityContext": dict(ISTIO_SECURITY),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/workload-spiffe-uds", "name": "workload-socket"},
                         {"mountPath": "/etc/istio/proxy", "name": "istio-envoy"},
                         {"mountPath": "/var/run/secrets/tokens", "name": "istio-token"}],
    }]
    spec["volumes"] = spec["volumes"] + [
        {"emptyDir": {}, "name": "workload-socket"},
        {"emptyDir": {"medium": "Memory"}, "name": "istio-envoy"},
        {"name": "istio-token", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "istio-ca", "expirationSeconds": 43200, "path": "istio-token"}}]}},
    ]
    meta = pod["metadata"]
    meta["annotations"] = dict(meta["annotations"], **{
        "istio.io/rev": "default",
        "sidecar.istio.io/status": '{"initContainers":["istio-validation"],"containers":["istio-proxy"],'
                                   '"volumes":["workload-socket","istio-envoy","istio-token"],'
                                   '"imagePullSecrets":null,"revision":"default"}',
    })
    meta["labels"] = dict(meta["labels"], **{"security.istio.io/tlsMode": "istio",
                                             "service.istio.io/canonical-name": app_name})


def debug_pod(node, node_ip, pod_ip):
    """Gap 9: a troubleshooting pod an SRE started in the out-of-scope
    namespace with a blanket toleration, pinned to an in-scope node, and left
    running."""
    started = "2026-11-12T14:03:27Z"
    container = {
        "command": ["sleep", "infinity"],
        "image": image_ref("netshoot"),
        "imagePullPolicy": "IfNotPresent",
        "name": "netshoot-debug",
        "resources": {},
        "securityContext": copy.deepcopy(RESTRICTED),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}],
    }
    spec = {
        "automountServiceAccountToken": False,
        "containers": [container],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [{"operator": "Exists"}],
        "volumes": [{"emptyDir": {"sizeLimit": "64Mi"}, "name": "tmp"}],
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {"kubernetes.azure.com/set-kube-service-host-fqdn": "true"},
            "creationTimestamp": started,
            "labels": {"run": "netshoot-debug"},
            "name": "netshoot-debug",
            "namespace": "a0005-o",
            "resourceVersion": rv_new(),
            "uid": guid("pod:a0005-o/netshoot-debug"),
        },
        "spec": spec,
        "status": None,
    }
    inject_istio(pod, "netshoot-debug")
    pod["status"] = pod_status(spec["containers"], node_ip, pod_ip, started, ["netshoot", "istio-proxy"])
    return pod


def pods():
    nodes = node_names()
    by_pool = {}
    for name, pool, ip in nodes:
        by_pool.setdefault(pool, []).append((name, ip))
    next_ip = {"npsystem": 20, "npinscope01": 20, "npooscope01": 20}
    subnet_base = {"npsystem": "10.240.0.", "npinscope01": "10.240.4.", "npooscope01": "10.240.8."}
    out = []
    for ns, name, key, replicas, pool, scope, version, _created, spec, app_name, component in workload_specs():
        lbl = labels(app_name, scope, version, component)
        rs_hash = template_hash(ns, name)
        rs_name = f"{name}-{rs_hash}"
        for i in range(replicas):
            node, node_ip = by_pool[pool][i % len(by_pool[pool])]
            pod_ip = subnet_base[pool] + str(next_ip[pool])
            next_ip[pool] += 1
            pod_name = f"{rs_name}-{pod_suffix(rs_name + str(i))}"
            started = f"2026-11-10T02:{38 + i:02d}:{(17 * (i + 3)) % 60:02d}Z"
            pspec = with_runtime_fields(spec, node, spec["automountServiceAccountToken"])
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "annotations": {"kubernetes.azure.com/set-kube-service-host-fqdn": "true"},
                    "creationTimestamp": started,
                    "generateName": rs_name + "-",
                    "labels": dict(lbl, **{"pod-template-hash": rs_hash}),
                    "name": pod_name,
                    "namespace": ns,
                    "ownerReferences": [{
                        "apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                        "kind": "ReplicaSet", "name": rs_name, "uid": guid(f"rs:{ns}/{rs_name}")}],
                    "resourceVersion": rv(),
                    "uid": guid(f"pod:{ns}/{pod_name}"),
                },
                "spec": pspec,
            }
            inject_istio(pod, app_name)
            pod["status"] = pod_status(pspec["containers"], node_ip, pod_ip, started, [key, "istio-proxy"])
            out.append(pod)
    ds = daemonsets()[0]
    for node, pool, node_ip in nodes:
        pod_ip = subnet_base[pool] + str(next_ip[pool])
        next_ip[pool] += 1
        pod_name = f"falco-{pod_suffix('falco' + node)}"
        started = "2026-11-09T23:" + f"{10 + len(out) % 40:02d}:{(7 * len(out)) % 60:02d}Z"
        pspec = with_runtime_fields(falco_pod_spec(), node, True)
        pspec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
        pspec["tolerations"] = pspec["tolerations"] + [
            {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
        ]
        out.append({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "annotations": {"checksum/config": hexid("falco-config", 64)},
                "creationTimestamp": started,
                "generateName": "falco-",
                "labels": dict(FALCO_LABELS, **{"controller-revision-hash": pod_suffix("falco-revision", 10),
                                                "pod-template-generation": "5"}),
                "name": pod_name,
                "namespace": "falco-system",
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "blockOwnerDeletion": True, "controller": True,
                    "kind": "DaemonSet", "name": "falco", "uid": ds["metadata"]["uid"]}],
                "resourceVersion": rv(),
                "uid": guid("pod:falco-system/" + pod_name),
            },
            "spec": pspec,
            "status": pod_status(pspec["containers"], node_ip, pod_ip, started, ["falco"]),
        })
    node, node_ip = by_pool["npinscope01"][1]
    out.append(debug_pod(node, node_ip, subnet_base["npinscope01"] + str(next_ip["npinscope01"])))
    return out


# --------------------------------------------------------------------------
# Services, ingresses, cluster role bindings
# --------------------------------------------------------------------------

def service(ns, name, created, spec, annotations=None, lbl=None, status=None):
    meta = {"creationTimestamp": created, "name": name, "namespace": ns, "resourceVersion": rv(),
            "uid": guid(f"svc:{ns}/{name}")}
    if annotations:
        meta["annotations"] = annotations
    if lbl:
        meta["labels"] = lbl
    base = {"internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "sessionAffinity": "None"}
    base.update(spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": base,
            "status": status or {"loadBalancer": {}}}


def cluster_ip(ns, name, ip, selector, created, port=443, target="https", lbl=None):
    return service(ns, name, created, {
        "clusterIP": ip, "clusterIPs": [ip],
        "ports": [{"name": "https", "port": port, "protocol": "TCP", "targetPort": target}],
        "selector": selector, "type": "ClusterIP"}, lbl=lbl)


def services():
    return [
        service("default", "kubernetes", "2026-03-10T14:20:10Z", {
            "clusterIP": "172.16.0.1", "clusterIPs": ["172.16.0.1"],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
            "type": "ClusterIP"}, lbl={"component": "apiserver", "provider": "kubernetes"}),
        service("kube-system", "kube-dns", "2026-03-10T14:20:31Z", {
            "clusterIP": "172.16.0.10", "clusterIPs": ["172.16.0.10"],
            "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                      {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}],
            "selector": {"k8s-app": "kube-dns"}, "type": "ClusterIP"},
            lbl={"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "kube-dns",
                 "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}),
        service("kube-system", "metrics-server", "2026-03-10T14:20:31Z", {
            "clusterIP": "172.16.118.24", "clusterIPs": ["172.16.118.24"],
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
            "selector": {"k8s-app": "metrics-server"}, "type": "ClusterIP"},
            lbl={"addonmanager.kubernetes.io/mode": "Reconcile", "k8s-app": "metrics-server",
                 "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "Metrics-server"}),
        service("gatekeeper-system", "gatekeeper-webhook-service", "2026-03-10T14:31:55Z", {
            "clusterIP": "172.16.201.77", "clusterIPs": ["172.16.201.77"],
            "ports": [{"name": "https-webhook-server", "port": 443, "protocol": "TCP", "targetPort": "webhook-server"}],
            "selector": {"control-plane": "controller-manager", "gatekeeper.sh/operation": "webhook"},
            "type": "ClusterIP"},
            lbl={"addonmanager.kubernetes.io/mode": "Reconcile", "gatekeeper.sh/system": "yes"}),
        service("a0005-i", "ingress-nginx-controller", "2026-10-06T08:14:02Z", {
            "allocateLoadBalancerNodePorts": True,
            "clusterIP": "172.16.44.190", "clusterIPs": ["172.16.44.190"],
            "externalTrafficPolicy": "Local",
            "healthCheckNodePort": 32187,
            "ports": [{"appProtocol": "https", "name": "https", "nodePort": 31443, "port": 443,
                       "protocol": "TCP", "targetPort": "https"}],
            "selector": {"app.kubernetes.io/name": "ingress-nginx"},
            "type": "LoadBalancer"},
            annotations={
                "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
                "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-clusteringressservices",
                "service.beta.kubernetes.io/azure-load-balancer-ipv4": ILB_IP,
            },
            lbl={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/part-of": "a0005",
                 "pci-scope": "in-scope"},
            status={"loadBalancer": {"ingress": [{"ip": ILB_IP, "ipMode": "VIP"}]}}),
        service("a0005-i", "ingress-nginx-controller-admission", "2026-10-06T08:14:02Z", {
            "clusterIP": "172.16.91.3", "clusterIPs": ["172.16.91.3"],
            "ports": [{"appProtocol": "https", "name": "https-webhook", "port": 443, "protocol": "TCP",
                       "targetPort": "webhook"}],
            "selector": {"app.kubernetes.io/name": "ingress-nginx"}, "type": "ClusterIP"},
            lbl={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/part-of": "a0005"}),
        cluster_ip("a0005-i", "web-frontend", "172.16.52.11", {"app.kubernetes.io/name": "web-frontend"},
                   "2026-10-06T08:15:37Z", lbl={"app.kubernetes.io/name": "web-frontend", "pci-scope": "in-scope"}),
        cluster_ip("a0005-i", "microservice-a", "172.16.52.12", {"app.kubernetes.io/name": "microservice-a"},
                   "2026-10-06T08:15:39Z", lbl={"app.kubernetes.io/name": "microservice-a", "pci-scope": "in-scope"}),
        cluster_ip("a0005-i", "microservice-c", "172.16.52.13", {"app.kubernetes.io/name": "microservice-c"},
                   "2026-10-06T08:15:41Z", lbl={"app.kubernetes.io/name": "microservice-c", "pci-scope": "in-scope"}),
        cluster_ip("a0005-o", "microservice-b", "172.16.60.21", {"app.kubernetes.io/name": "microservice-b"},
                   "2026-10-06T08:16:05Z",
                   lbl={"app.kubernetes.io/name": "microservice-b", "pci-scope": "out-of-scope"}),
    ]


def ingresses():
    return [{
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "annotations": {
                "nginx.ingress.kubernetes.io/backend-protocol": "HTTPS",
                "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
                "nginx.ingress.kubernetes.io/proxy-ssl-verify": "on",
                "nginx.ingress.kubernetes.io/proxy-ssl-secret": "a0005-i/web-frontend-upstream-ca",
            },
            "creationTimestamp": "2026-10-06T08:15:37Z",
            "generation": 2,
            "labels": {"app.kubernetes.io/name": "web-frontend", "app.kubernetes.io/part-of": "a0005",
                       "pci-scope": "in-scope"},
            "name": "web-frontend",
            "namespace": "a0005-i",
            "resourceVersion": rv(),
            "uid": guid("ingress:a0005-i/web-frontend"),
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": INGRESS_HOST, "http": {"paths": [{
                "backend": {"service": {"name": "web-frontend", "port": {"number": 443}}},
                "path": "/", "pathType": "Prefix"}]}}],
            "tls": [{"hosts": [INGRESS_HOST], "secretName": "web-frontend-ingress-tls"}],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": ILB_IP}]}},
    }]


def crb(name, role, subjects, created="2026-03-10T14:20:12Z", lbl=None, annotations=None):
    meta = {"creationTimestamp": created, "name": name, "resourceVersion": rv(), "uid": guid("crb:" + name)}
    if lbl:
        meta["labels"] = lbl
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": subjects}


def group(name):
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}


def user(name):
    return {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}


def sa(ns, name):
    return {"kind": "ServiceAccount", "name": name, "namespace": ns}


BOOTSTRAP = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def cluster_role_bindings():
    return [
        crb("cluster-admin", "cluster-admin", [group("system:masters")], lbl=BOOTSTRAP, annotations=AUTOUPDATE),
        crb("system:basic-user", "system:basic-user", [group("system:authenticated")], lbl=BOOTSTRAP,
            annotations=AUTOUPDATE),
        crb("system:discovery", "system:discovery", [group("system:authenticated")], lbl=BOOTSTRAP,
            annotations=AUTOUPDATE),
        crb("system:public-info-viewer", "system:public-info-viewer",
            [group("system:authenticated"), group("system:unauthenticated")], lbl=BOOTSTRAP, annotations=AUTOUPDATE),
        crb("system:kube-controller-manager", "system:kube-controller-manager",
            [user("system:kube-controller-manager")], lbl=BOOTSTRAP, annotations=AUTOUPDATE),
        crb("system:kube-scheduler", "system:kube-scheduler", [user("system:kube-scheduler")],
            lbl=BOOTSTRAP, annotations=AUTOUPDATE),
        crb("system:node-proxier", "system:node-proxier", [user("system:kube-proxy")], lbl=BOOTSTRAP,
            annotations=AUTOUPDATE),
        crb("system:coredns", "system:coredns", [sa("kube-system", "coredns")], created="2026-03-10T14:20:31Z",
            lbl={"addonmanager.kubernetes.io/mode": "Reconcile", "kubernetes.io/bootstrapping": "rbac-defaults"}),
        crb("system:metrics-server", "system:metrics-server", [sa("kube-system", "metrics-server")],
            created="2026-03-10T14:20:31Z", lbl={"addonmanager.kubernetes.io/mode": "Reconcile"}),
        crb("aks-service-rolebinding", "aks-service", [user("aks-support")], created="2026-03-10T14:20:29Z",
            lbl={"addonmanager.kubernetes.io/mode": "Reconcile"}),
        crb("gatekeeper-manager-rolebinding", "gatekeeper-manager-role", [sa("gatekeeper-system", "gatekeeper-admin")],
            created="2026-03-10T14:31:53Z", lbl={"addonmanager.kubernetes.io/mode": "Reconcile",
                                                 "gatekeeper.sh/system": "yes"}),
        crb("falco", "falco", [sa("falco-system", "falco")], created="2026-03-12T10:07:54Z",
            lbl={"app.kubernetes.io/instance": "falco", "app.kubernetes.io/managed-by": "Helm",
                 "app.kubernetes.io/name": "falco"}),
        crb("ingress-nginx", "ingress-nginx", [sa("a0005-i", "ingress-nginx")], created="2026-10-06T08:14:01Z",
            lbl={"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/part-of": "a0005"}),
        crb("bu0001a0005-sre-readonly", "view", [group(guid("group:sre-readers"))],
            created="2026-03-12T10:06:03Z", lbl={"app.kubernetes.io/managed-by": "flux"}),
    ]


# --------------------------------------------------------------------------
# Nodes, the mesh's mTLS policies and the scope file
# --------------------------------------------------------------------------

def nodes():
    out = []
    pools = {p[0]: p for p in NODE_POOLS}
    for name, pool, ip in node_names():
        _pool, mode, _subnet, _count, size, taints, pool_labels = pools[pool]
        index = int(name[-1])
        zone = f"eastus2-{index % 3 + 1}"
        labels = {
            "agentpool": pool,
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/instance-type": size,
            "beta.kubernetes.io/os": "linux",
            "failure-domain.beta.kubernetes.io/region": "eastus2",
            "failure-domain.beta.kubernetes.io/zone": zone,
            "kubernetes.azure.com/agentpool": pool,
            "kubernetes.azure.com/cluster": "rg-bu0001a0005-nodepools",
            "kubernetes.azure.com/mode": mode.lower(),
            "kubernetes.azure.com/node-image-version": "AKSUbuntu-2204gen2containerd-202611.03.0",
            "kubernetes.azure.com/os-sku": "Ubuntu",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": size,
            "topology.kubernetes.io/region": "eastus2",
            "topology.kubernetes.io/zone": zone,
        }
        labels.update(pool_labels)
        node_taints = []
        for taint in taints:
            pair, effect = taint.rsplit(":", 1)
            key, value = pair.split("=", 1)
            node_taints.append({"effect": effect, "key": key, "value": value})
        out.append({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                "creationTimestamp": "2026-11-04T03:12:09Z",
                "labels": labels,
                "name": name,
                "resourceVersion": rv_new(),
                "uid": guid("node:" + name),
            },
            "spec": {
                "providerID": "azure:///subscriptions/0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905/resourceGroups/"
                              f"rg-bu0001a0005-nodepools/providers/Microsoft.Compute/virtualMachineScaleSets/"
                              f"aks-{pool}-28461735-vmss/virtualMachines/{index}",
                "taints": node_taints,
            },
            "status": {
                "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
                "allocatable": {"cpu": "3860m" if size == "Standard_D4ds_v5" else "7820m", "pods": "50"},
                "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.28-1",
                             "kernelVersion": "5.15.0-1089-azure", "kubeletVersion": "v1.33.5",
                             "operatingSystem": "linux", "osImage": "Ubuntu 22.04.5 LTS"},
            },
        })
    return out


def peer_authentications():
    def pa(ns, name, created):
        return {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": {"annotations": {}, "creationTimestamp": created, "generation": 1,
                         "labels": {"app.kubernetes.io/managed-by": "flux"}, "name": name, "namespace": ns,
                         "resourceVersion": rv_new(), "uid": guid(f"pa:{ns}/{name}")},
            "spec": {"mtls": {"mode": "STRICT"}},
        }
    return [pa("istio-system", "default", "2026-06-02T09:31:02Z"),
            pa("a0005-i", "default", "2026-06-02T09:31:02Z")]


SCOPE_FILE = """# PCI scope of the Harbourline Payments sample cluster (fictional), as the
# security team states it for the 2026-H2 assessment. The pci-scope labels on
# namespaces and node pools say most of it; this file adds what labels cannot
# carry and the one flow allowed across the boundary.
tickmark_scope = 1

[[scope]]
subnet = "snet-clusteringressservices"
scope = "in-scope"
reason = "Internal load balancer in front of the CDE's ingress controller"

[[scope]]
subnet = "snet-applicationgateway"
scope = "connected"
reason = "The WAF terminates TLS for the checkout and forwards card data to the CDE"

[[scope]]
subnet = "snet-privatelinkendpoints"
scope = "connected"
reason = "Private endpoints of the Key Vault and the registry the CDE uses"

[[scope]]
vnet = "vnet-hub-eastus2"
scope = "connected"
reason = "Azure Firewall in the hub inspects all egress from the CDE"

[[flow]]
from = { namespace = "a0005-i", pods = { "app.kubernetes.io/name" = "microservice-a" } }
to = { namespace = "a0005-o", pods = { "app.kubernetes.io/name" = "microservice-b" } }
ports = ["8443/TCP"]
why = "Address lookup for the checkout form: a postcode goes out, addresses come back; no account data crosses (DFD-A0005 v2, change CHG-47102)"
"""


def write_all():
    write_kjson("kubernetes/namespaces.json", namespaces())
    write_kyaml("kubernetes/networkpolicies.yaml", network_policies())
    write_kjson("kubernetes/deployments.json", deployments())
    write_kyaml("kubernetes/daemonsets.yaml", daemonsets())
    all_pods = pods()
    by_ns = lambda ns: [p for p in all_pods if p["metadata"]["namespace"] == ns]  # noqa: E731
    write_kjson("kubernetes/pods-a0005-i.json", by_ns("a0005-i"))
    write_kyaml("kubernetes/pods-a0005-o.yaml", by_ns("a0005-o"))
    write_kjson("kubernetes/pods-falco-system.json", by_ns("falco-system"))
    write_kyaml("kubernetes/services.yaml", services())
    write_kjson("kubernetes/ingresses.json", ingresses())
    write_kyaml("kubernetes/clusterrolebindings.yaml", cluster_role_bindings())
    write_kjson("kubernetes/nodes.json", nodes())
    write_kjson("kubernetes/peerauthentications.json", peer_authentications())
    write_text("tickmark-scope.toml", SCOPE_FILE)
