"""Shared facts of the fictional Harbourline Payments cluster.

Every file of the sample is written from these constants, so that IDs that
appear in several exports (subnets, NSGs, route tables, images, digests,
namespaces) always agree.
"""

import hashlib
import json
import os
import uuid

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Organisation and subscription (all fictional).
ORG = "Harbourline Payments Ltd"
TENANT = "5f2c8e71-3a94-4d6b-9e1f-7c0a2b8d4e63"
SUB = "0b7d5e2a-6c41-4f83-a9e2-3d1c8f47b905"
SUB_NAME = "sub-harbourline-cde-prod"
LOCATION = "eastus2"
SUFFIX = "h7lq2xwk4pzr6"

RG_HUB = "rg-enterprise-networking-hubs"
RG_SPOKE = "rg-enterprise-networking-spokes"
RG_AKS = "rg-bu0001a0005"
RG_NODES = "rg-bu0001a0005-nodepools"

CLUSTER = "aks-bu0001a0005-01"
HUB_VNET = "vnet-hub-eastus2"
SPOKE_VNET = "vnet-spoke-BU0001A0005-01"
FIREWALL = "fw-eastus2"
FIREWALL_POLICY = "afwp-eastus2"
FIREWALL_IP = "10.200.0.4"
APPGW = "agw-bu0001a0005-01"
WAF_POLICY = "waf-bu0001a0005-01"
KEY_VAULT = f"kv-aks-{SUFFIX}"
ACR = f"acraks{SUFFIX}"
ACR_LOGIN = f"{ACR}.azurecr.io"
WORKSPACE = f"la-aks-{SUFFIX}"
ROUTE_TABLE = "route-to-eastus2-hub-fw"
DDOS_PLAN = "ddos-plan-eastus2"
ARCHIVE_STORAGE = f"stauditarch{SUFFIX[:9]}"
PUBLIC_HOST = "checkout.harbourline.example"
INGRESS_HOST = "bu0001a0005-00.aks-ingress.harbourline.example"
ILB_IP = "10.240.12.4"
APPGW_PUBLIC_IP = "203.0.113.40"
FIREWALL_PUBLIC_IP = "203.0.113.21"

# Export dates (the assessment period is the second half of 2026).
EXPORT_DAY = "2026-11-17"


def sub_id():
    return f"/subscriptions/{SUB}"


def rid(rg, rtype, name, *children):
    """An ARM resource ID; children are (type, name) pairs."""
    out = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{rtype}/{name}"
    for ctype, cname in children:
        out += f"/{ctype}/{cname}"
    return out


def guid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "harbourline:" + name))


def digest(name):
    return hashlib.sha256(("harbourline-image:" + name).encode()).hexdigest()


def hexid(name, n=12):
    return hashlib.sha256(("hex:" + name).encode()).hexdigest()[:n]


def etag(name):
    return 'W/"' + guid("etag:" + name) + '"'


# Subnets of the spoke and the hub: name -> (prefix, nsg short name or None,
# route table or None, service endpoints).
SPOKE_SUBNETS = {
    "snet-clusternodes-system": ("10.240.0.0/22", "nodepools-system", True, []),
    "snet-clusternodes-inscope": ("10.240.4.0/22", "nodepools-inscope", True, []),
    "snet-clusternodes-outofscope": ("10.240.8.0/22", "nodepools-outofscope", True, []),
    "snet-clusteringressservices": ("10.240.12.0/28", "aksilbs", False, []),
    "snet-applicationgateway": ("10.240.13.0/24", "appgw", False, ["Microsoft.KeyVault"]),
    "snet-privatelinkendpoints": ("10.240.14.0/28", "privatelinkendpoints", True, []),
    "snet-management-ops": ("10.240.15.0/28", "management-ops", True, []),
    "snet-management-acragents": ("10.240.15.64/28", "acragents", False, []),
}
HUB_SUBNETS = {
    "AzureFirewallSubnet": "10.200.0.0/26",
    "GatewaySubnet": "10.200.0.64/27",
    "AzureBastionSubnet": "10.200.0.128/26",
}


def spoke_vnet_id():
    return rid(RG_SPOKE, "Microsoft.Network/virtualNetworks", SPOKE_VNET)


def hub_vnet_id():
    return rid(RG_HUB, "Microsoft.Network/virtualNetworks", HUB_VNET)


def subnet_id(name):
    return spoke_vnet_id() + "/subnets/" + name


def hub_subnet_id(name):
    return hub_vnet_id() + "/subnets/" + name


def nsg_name(short):
    return f"nsg-{SPOKE_VNET}-{short}"


def nsg_id(short):
    return rid(RG_SPOKE, "Microsoft.Network/networkSecurityGroups", nsg_name(short))


def route_table_id():
    return rid(RG_SPOKE, "Microsoft.Network/routeTables", ROUTE_TABLE)


def cluster_id():
    return rid(RG_AKS, "Microsoft.ContainerService/managedClusters", CLUSTER)


def workspace_id():
    return rid(RG_AKS, "Microsoft.OperationalInsights/workspaces", WORKSPACE)


def key_vault_id():
    return rid(RG_AKS, "Microsoft.KeyVault/vaults", KEY_VAULT)


def acr_id():
    return rid(RG_AKS, "Microsoft.ContainerRegistry/registries", ACR)


def appgw_id():
    return rid(RG_AKS, "Microsoft.Network/applicationGateways", APPGW)


def waf_policy_id():
    return rid(RG_AKS, "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", WAF_POLICY)


def firewall_id():
    return rid(RG_HUB, "Microsoft.Network/azureFirewalls", FIREWALL)


def firewall_policy_id():
    return rid(RG_HUB, "Microsoft.Network/firewallPolicies", FIREWALL_POLICY)


# Node pools: name -> (mode, subnet, count, vm size, taints, labels).
NODE_POOLS = [
    ("npsystem", "System", "snet-clusternodes-system", 3, "Standard_D4ds_v5",
     ["CriticalAddonsOnly=true:NoSchedule"], {"pci-scope": "connected"}),
    ("npinscope01", "User", "snet-clusternodes-inscope", 2, "Standard_D8ds_v5",
     ["pci-scope=in-scope:NoSchedule"], {"pci-scope": "in-scope"}),
    ("npooscope01", "User", "snet-clusternodes-outofscope", 2, "Standard_D4ds_v5",
     ["pci-scope=out-of-scope:NoSchedule"], {"pci-scope": "out-of-scope"}),
]
VMSS_SUFFIX = "28461735"


def node_names():
    """(node name, pool, node IP) for every node."""
    out = []
    base = {"npsystem": "10.240.0.", "npinscope01": "10.240.4.", "npooscope01": "10.240.8."}
    for pool, _mode, _subnet, count, *_ in NODE_POOLS:
        for i in range(count):
            out.append((f"aks-{pool}-{VMSS_SUFFIX}-vmss00000{i}", pool, base[pool] + str(4 + i)))
    return out


# Container images, all imported into or built in the cluster's ACR and
# referenced by digest.
IMAGES = {
    "web-frontend": ("a0005/web-frontend", "1.8.2"),
    "microservice-a": ("a0005/microservice-a", "2.4.0"),
    "microservice-b": ("a0005/microservice-b", "3.1.4"),
    "microservice-c": ("a0005/microservice-c", "1.3.1"),
    "ingress-nginx-controller": ("ingress-nginx/controller", "v1.13.3"),
    "falco": ("falcosecurity/falco", "0.41.3"),
    # The mesh's proxy, mirrored into the ACR; the injector is configured
    # with its digest.
    "istio-proxy": ("istio/proxyv2", "1.26.3-distroless"),
    # A troubleshooting image an SRE used (gap 9).
    "netshoot": ("tools/netshoot", "0.14"),
}


def image_ref(key):
    repo, tag = IMAGES[key]
    return f"{ACR_LOGIN}/{repo}:{tag}@sha256:{digest(key)}"


def image_id(key):
    repo, _tag = IMAGES[key]
    return f"{ACR_LOGIN}/{repo}@sha256:{digest(key)}"


def write_json(rel, data, indent=2, sort_keys=False):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, indent=indent, sort_keys=sort_keys, ensure_ascii=False)
        f.write("\n")


def write_text(rel, text):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


class _KubectlDumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    plain_tag = dumper.resolve(yaml.ScalarNode, data, (True, False))
    if plain_tag != "tag:yaml.org,2002:str" or data == "" or data[:1] in "*&!%@`'\"{}[]|>#,?:-" \
            or ": " in data or " #" in data:
        # go-yaml (kubectl) double-quotes strings that would read as something else.
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_KubectlDumper.add_representer(str, _str_presenter)


def write_yaml(rel, data):
    """Writes like `kubectl -o yaml`: sorted keys, two-space indent."""
    text = yaml.dump(data, Dumper=_KubectlDumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=10000)
    write_text(rel, text)
