"""Azure exports: az CLI (flattened, keys sorted as `az -o json` prints
them) and ARM shapes (REST list bodies, a compiled Bicep template)."""

from common import *  # noqa: F401,F403
from common import (ACR, ACR_LOGIN, APPGW, APPGW_PUBLIC_IP, ARCHIVE_STORAGE, CLUSTER, DDOS_PLAN,
                    FIREWALL, FIREWALL_IP, FIREWALL_POLICY, FIREWALL_PUBLIC_IP, HUB_SUBNETS,
                    HUB_VNET, ILB_IP, INGRESS_HOST, KEY_VAULT, LOCATION, NODE_POOLS, PUBLIC_HOST,
                    RG_AKS, RG_HUB, RG_NODES, RG_SPOKE, ROUTE_TABLE, SPOKE_SUBNETS, SPOKE_VNET,
                    SUB, TENANT, VMSS_SUFFIX, WAF_POLICY, WORKSPACE, acr_id, appgw_id, cluster_id,
                    etag, firewall_id, firewall_policy_id, guid, hub_subnet_id, hub_vnet_id,
                    key_vault_id, nsg_id, nsg_name, rid, route_table_id, spoke_vnet_id, subnet_id,
                    waf_policy_id, workspace_id, write_json)

TAGS = {"BusinessUnit": "BU0001", "Application": "A0005", "Environment": "prod",
        "CostCenter": "CC-4471", "DataClassification": "PCI-CDE"}


def az(rel, data):
    write_json(rel, data, indent=2, sort_keys=True)


# --------------------------------------------------------------------------
# AKS cluster: `az aks show -g rg-bu0001a0005 -n aks-bu0001a0005-01 -o json`
# --------------------------------------------------------------------------

def identity(name, rg=RG_AKS):
    rid_ = rid(rg, "Microsoft.ManagedIdentity/userAssignedIdentities", name)
    return {"clientId": guid("client:" + name), "objectId": guid("object:" + name),
            "resourceId": rid_}


def agent_pool(name, mode, subnet, count, size, taints, labels):
    return {
        "availabilityZones": ["1", "2", "3"],
        "capacityReservationGroupId": None,
        "count": count,
        "creationData": None,
        "currentOrchestratorVersion": "1.33.5",
        "eTag": guid("pool-etag:" + name),
        "enableAutoScaling": True,
        "enableEncryptionAtHost": True,
        "enableFips": False,
        "enableNodePublicIp": False,
        "enableUltraSsd": False,
        "gpuInstanceProfile": None,
        "hostGroupId": None,
        "kubeletConfig": None,
        "kubeletDiskType": "OS",
        "linuxOsConfig": None,
        "maxCount": count + 3 if mode == "User" else 4,
        "maxPods": 50,
        "minCount": count,
        "mode": mode,
        "name": name,
        "networkProfile": None,
        "nodeImageVersion": "AKSUbuntu-2204gen2containerd-202611.03.0",
        "nodeLabels": labels or None,
        "nodePublicIpPrefixId": None,
        "nodeTaints": taints,
        "orchestratorVersion": "1.33.5",
        "osDiskSizeGb": 128 if size == "Standard_D4ds_v5" else 256,
        "osDiskType": "Ephemeral",
        "osSku": "Ubuntu",
        "osType": "Linux",
        "podSubnetId": None,
        "powerState": {"code": "Running"},
        "provisioningState": "Succeeded",
        "proximityPlacementGroupId": None,
        "scaleDownMode": "Delete",
        "scaleSetEvictionPolicy": None,
        "scaleSetPriority": None,
        "securityProfile": {"enableSecureBoot": False, "enableVtpm": False, "sshAccess": "Disabled"},
        "spotMaxPrice": None,
        "tags": dict(TAGS),
        "type": "VirtualMachineScaleSets",
        "upgradeSettings": {"drainTimeoutInMinutes": 30, "maxSurge": "33%",
                            "nodeSoakDurationInMinutes": None},
        "vmSize": size,
        "vnetSubnetId": subnet_id(subnet),
        "windowsProfile": None,
        "workloadRuntime": "OCIContainer",
    }


def aks_show():
    cp = "mi-" + CLUSTER + "-controlplane"
    kubelet = "mi-" + CLUSTER + "-kubelet"
    private_zone = rid(RG_SPOKE, "Microsoft.Network/privateDnsZones", "privatelink.eastus2.azmk8s.io")
    return {
        "aadProfile": {
            "adminGroupObjectIDs": None,
            "adminUsers": None,
            "clientAppId": None,
            "enableAzureRbac": True,
            "managed": True,
            "serverAppId": None,
            "serverAppSecret": None,
            "tenantId": TENANT,
        },
        "addonProfiles": {
            "azureKeyvaultSecretsProvider": {
                "config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"},
                "enabled": True,
                "identity": identity("azurekeyvaultsecretsprovider-" + CLUSTER, RG_NODES),
            },
            "azurepolicy": {
                "config": {"version": "v2"},
                "enabled": True,
                "identity": identity("azurepolicy-" + CLUSTER, RG_NODES),
            },
            "omsagent": {
                "config": {"logAnalyticsWorkspaceResourceID": workspace_id(), "useAADAuth": "true"},
                "enabled": True,
                "identity": identity("omsagent-" + CLUSTER, RG_NODES),
            },
        },
        "agentPoolProfiles": [agent_pool(*p) for p in NODE_POOLS],
        "aiToolchainOperatorProfile": None,
        "apiServerAccessProfile": {
            "authorizedIpRanges": None,
            "disableRunCommand": True,
            "enablePrivateCluster": True,
            "enablePrivateClusterPublicFqdn": False,
            "enableVnetIntegration": None,
            "privateDnsZone": private_zone,
            "subnetId": None,
        },
        "autoScalerProfile": {
            "balanceSimilarNodeGroups": "false",
            "daemonsetEvictionForEmptyNodes": False,
            "daemonsetEvictionForOccupiedNodes": True,
            "expander": "random",
            "ignoreDaemonsetsUtilization": False,
            "maxEmptyBulkDelete": "10",
            "maxGracefulTerminationSec": "600",
            "maxNodeProvisionTime": "15m",
            "maxTotalUnreadyPercentage": "45",
            "newPodScaleUpDelay": "0s",
            "okTotalUnreadyCount": "3",
            "scaleDownDelayAfterAdd": "10m",
            "scaleDownDelayAfterDelete": "10s",
            "scaleDownDelayAfterFailure": "3m",
            "scaleDownUnneededTime": "10m",
            "scaleDownUnreadyTime": "20m",
            "scaleDownUtilizationThreshold": "0.5",
            "scanInterval": "10s",
            "skipNodesWithLocalStorage": "false",
            "skipNodesWithSystemPods": "true",
        },
        "autoUpgradeProfile": {"nodeOsUpgradeChannel": "NodeImage", "upgradeChannel": "patch"},
        "azureMonitorProfile": {
            "metrics": {"enabled": True, "kubeStateMetrics": {"metricAnnotationsAllowList": "",
                                                              "metricLabelsAllowlist": ""}}
        },
        "azurePortalFqdn": f"{CLUSTER}-{guid('portal')[:8]}.portal.hcp.eastus2.azmk8s.io",
        "bootstrapProfile": {"artifactSource": "Direct", "containerRegistryId": None},
        "currentKubernetesVersion": "1.33.5",
        "disableLocalAccounts": True,
        "diskEncryptionSetId": None,
        "dnsPrefix": CLUSTER,
        "eTag": guid("cluster-etag"),
        "enableRbac": True,
        "extendedLocation": None,
        "fqdn": None,
        "fqdnSubdomain": None,
        "httpProxyConfig": None,
        "id": cluster_id(),
        "identity": {
            "delegatedResources": None,
            "principalId": None,
            "tenantId": None,
            "type": "UserAssigned",
            "userAssignedIdentities": {
                rid(RG_AKS, "Microsoft.ManagedIdentity/userAssignedIdentities", cp): {
                    "clientId": guid("client:" + cp), "principalId": guid("object:" + cp)}
            },
        },
        "identityProfile": {"kubeletidentity": identity(kubelet)},
        "ingressProfile": None,
        "kind": "Base",
        "kubernetesVersion": "1.33.5",
        "linuxProfile": None,
        "location": LOCATION,
        "maxAgentPools": 100,
        "metricsProfile": {"costAnalysis": {"enabled": False}},
        "name": CLUSTER,
        "networkProfile": {
            "advancedNetworking": None,
            "dnsServiceIp": "172.16.0.10",
            "ipFamilies": ["IPv4"],
            "loadBalancerProfile": None,
            "loadBalancerSku": "standard",
            "natGatewayProfile": None,
            "networkDataplane": "azure",
            "networkMode": None,
            "networkPlugin": "azure",
            "networkPluginMode": None,
            "networkPolicy": "azure",
            "outboundType": "userDefinedRouting",
            "podCidr": None,
            "podCidrs": None,
            "serviceCidr": "172.16.0.0/16",
            "serviceCidrs": ["172.16.0.0/16"],
            "staticEgressGatewayProfile": None,
        },
        "nodeProvisioningProfile": {"defaultNodePools": "Auto", "mode": "Manual"},
        "nodeResourceGroup": RG_NODES,
        "nodeResourceGroupProfile": {"restrictionLevel": "ReadOnly"},
        "oidcIssuerProfile": {
            "enabled": True,
            "issuerUrl": f"https://eastus2.oic.prod-aks.azure.com/{TENANT}/{guid('oidc')}/",
        },
        "podIdentityProfile": None,
        "powerState": {"code": "Running"},
        "privateFqdn": f"{CLUSTER}-{guid('pfqdn')[:8]}.{guid('pzone')}.privatelink.eastus2.azmk8s.io",
        "privateLinkResources": [
            {
                "groupId": "management",
                "id": cluster_id() + "/privateLinkResources/management",
                "name": "management",
                "privateLinkServiceId": None,
                "requiredMembers": ["management"],
                "resourceGroup": RG_AKS,
                "type": "Microsoft.ContainerService/managedClusters/privateLinkResources",
            }
        ],
        "provisioningState": "Succeeded",
        "publicNetworkAccess": None,
        "resourceGroup": RG_AKS,
        "resourceUid": hexid_uid(),
        "securityProfile": {
            "azureKeyVaultKms": None,
            "customCaTrustCertificates": None,
            "defender": {
                "logAnalyticsWorkspaceResourceId": workspace_id(),
                "securityMonitoring": {"enabled": True},
            },
            "imageCleaner": {"enabled": True, "intervalHours": 168},
            "workloadIdentity": {"enabled": True},
        },
        "serviceMeshProfile": None,
        "servicePrincipalProfile": {"clientId": "msi", "secret": None},
        "sku": {"name": "Base", "tier": "Standard"},
        "status": None,
        "storageProfile": {
            "blobCsiDriver": None,
            "diskCsiDriver": {"enabled": False},
            "fileCsiDriver": {"enabled": False},
            "snapshotController": {"enabled": False},
        },
        "supportPlan": "KubernetesOfficial",
        "systemData": None,
        "tags": dict(TAGS),
        "type": "Microsoft.ContainerService/ManagedClusters",
        "upgradeSettings": None,
        "windowsProfile": None,
        "workloadAutoScalerProfile": {"keda": None, "verticalPodAutoscaler": None},
    }


def hexid_uid():
    return guid("resource-uid").replace("-", "")[:24]


# --------------------------------------------------------------------------
# NSGs: `az network nsg list -g rg-enterprise-networking-spokes -o json`
# --------------------------------------------------------------------------

DEFAULT_RULES = [
    ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "Allow", "Inbound", 65000,
     "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "Allow",
     "Inbound", 65001, "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Deny all inbound traffic", "Deny", "Inbound", 65500, "*", "*"),
    ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "Allow",
     "Outbound", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "Allow",
     "Outbound", 65001, "*", "Internet"),
    ("DenyAllOutBound", "Deny all outbound traffic", "Deny", "Outbound", 65500, "*", "*"),
]


def rule(nsg, name, priority, direction, access, protocol, src, dst, ports, description=None,
         default=False):
    kind = "defaultSecurityRules" if default else "securityRules"
    out = {
        "access": access,
        "destinationAddressPrefixes": [],
        "destinationPortRanges": [],
        "direction": direction,
        "etag": etag(nsg),
        "id": nsg_id_full(nsg) + f"/{kind}/{name}",
        "name": name,
        "priority": priority,
        "protocol": protocol,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_SPOKE,
        "sourceAddressPrefixes": [],
        "sourcePortRange": "*",
        "sourcePortRanges": [],
        "type": f"Microsoft.Network/networkSecurityGroups/{kind}",
    }
    if description:
        out["description"] = description
    if isinstance(src, list):
        out["sourceAddressPrefixes"] = src
    else:
        out["sourceAddressPrefix"] = src
    if isinstance(dst, list):
        out["destinationAddressPrefixes"] = dst
    else:
        out["destinationAddressPrefix"] = dst
    if isinstance(ports, list):
        out["destinationPortRanges"] = ports
    else:
        out["destinationPortRange"] = ports
    return out


def nsg_id_full(nsg):
    return rid(RG_SPOKE, "Microsoft.Network/networkSecurityGroups", nsg)


NSG_RULES = {
    "nodepools-system": [
        ("DenySshInBound", 100, "Inbound", "Deny", "Tcp", "*", "*", "22",
         "No SSH to system node pool nodes; break-glass access is through az aks command invoke."),
    ],
    "nodepools-inscope": [
        ("DenySshInBound", 100, "Inbound", "Deny", "Tcp", "*", "*", "22",
         "No SSH to in-scope (CDE) node pool nodes."),
        ("DenyOutOfScopeNodesInBound", 200, "Inbound", "Deny", "*", "10.240.8.0/22", "*", "*",
         "Nothing from the out-of-scope node pool's subnet reaches CDE nodes and pods."),
    ],
    "nodepools-outofscope": [
        ("DenySshInBound", 100, "Inbound", "Deny", "Tcp", "*", "*", "22",
         "No SSH to out-of-scope node pool nodes."),
    ],
    "aksilbs": [
        ("AllowAppGatewayHttpsInBound", 100, "Inbound", "Allow", "Tcp", "10.240.13.0/24",
         "10.240.12.0/28", "443", "Only the Application Gateway subnet may reach the internal load balancer."),
        ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*", None),
    ],
    "appgw": [
        ("Allow443InBound", 100, "Inbound", "Allow", "Tcp", "Internet", "VirtualNetwork", "443",
         "Public HTTPS to the WAF listener."),
        ("AllowControlPlaneInBound", 110, "Inbound", "Allow", "Tcp", "GatewayManager", "*",
         "65200-65535", "Application Gateway v2 infrastructure ports."),
        ("AllowHealthProbesInBound", 120, "Inbound", "Allow", "Tcp", "AzureLoadBalancer",
         "VirtualNetwork", "*", "Azure load balancer health probes."),
        ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*", None),
        ("AllowAllOutBound", 1000, "Outbound", "Allow", "*", "*", "*", "*",
         "Copied from the reference implementation; to be narrowed (see rule review RR-2026-H2-03)."),
    ],
    "privatelinkendpoints": [
        ("AllowAll443InFromVnet", 100, "Inbound", "Allow", "Tcp", "VirtualNetwork", "VirtualNetwork",
         "443", "Private Link traffic to Key Vault and ACR."),
        ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*", None),
        ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "*", "*", "*", None),
    ],
    "management-ops": [
        ("AllowSshFromHubBastionInBound", 100, "Inbound", "Allow", "Tcp", "10.200.0.128/26", "*", "22",
         "SSH to the jump box only from Azure Bastion in the hub."),
        ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*", None),
        ("Allow443InternetOutBound", 100, "Outbound", "Allow", "Tcp", "*", "Internet", "443",
         "Azure management plane, through the hub firewall."),
        ("Allow443VnetOutBound", 110, "Outbound", "Allow", "Tcp", "VirtualNetwork", "VirtualNetwork",
         "443", "Private API server and private endpoints."),
        ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "*", "*", "*", None),
    ],
    "acragents": [
        ("AllowKeyVaultOutBound", 100, "Outbound", "Allow", "Tcp", "VirtualNetwork", "AzureKeyVault",
         "443", None),
        ("AllowStorageOutBound", 110, "Outbound", "Allow", "Tcp", "VirtualNetwork", "Storage", "443", None),
        ("AllowEventHubOutBound", 120, "Outbound", "Allow", "Tcp", "VirtualNetwork", "EventHub", "443", None),
        ("AllowAadOutBound", 130, "Outbound", "Allow", "Tcp", "VirtualNetwork", "AzureActiveDirectory",
         "443", None),
        ("AllowAzureMonitorOutBound", 140, "Outbound", "Allow", "Tcp", "VirtualNetwork", "AzureMonitor",
         "443", None),
    ],
}


def nsg_list():
    out = []
    for short, rules in NSG_RULES.items():
        name = nsg_name(short)
        subnets = [subnet_id(s) for s, v in SPOKE_SUBNETS.items() if v[1] == short]
        out.append({
            "defaultSecurityRules": [
                rule(name, n, p, d, a, "*", s, t, "*", description=desc, default=True)
                for (n, desc, a, d, p, s, t) in DEFAULT_RULES
            ],
            "etag": etag(name),
            "flowLogs": [],
            "id": nsg_id_full(name),
            "location": LOCATION,
            "name": name,
            "provisioningState": "Succeeded",
            "resourceGroup": RG_SPOKE,
            "resourceGuid": guid("nsg-guid:" + name),
            "securityRules": [rule(name, *r[:8], description=r[8]) for r in rules],
            "subnets": [{"id": s, "resourceGroup": RG_SPOKE} for s in subnets],
            "tags": dict(TAGS),
            "type": "Microsoft.Network/networkSecurityGroups",
        })
    return out


# --------------------------------------------------------------------------
# Route tables: `az network route-table list -g rg-enterprise-networking-spokes`
# --------------------------------------------------------------------------

def route_table_list():
    subnets = [s for s, v in SPOKE_SUBNETS.items() if v[2]]
    return [{
        "disableBgpRoutePropagation": True,
        "etag": etag(ROUTE_TABLE),
        "id": route_table_id(),
        "location": LOCATION,
        "name": ROUTE_TABLE,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_SPOKE,
        "resourceGuid": guid("rt-guid"),
        "routes": [{
            "addressPrefix": "0.0.0.0/0",
            "etag": etag(ROUTE_TABLE),
            "hasBgpOverride": False,
            "id": route_table_id() + "/routes/r-nexthop-to-fw",
            "name": "r-nexthop-to-fw",
            "nextHopIpAddress": FIREWALL_IP,
            "nextHopType": "VirtualAppliance",
            "provisioningState": "Succeeded",
            "resourceGroup": RG_SPOKE,
            "type": "Microsoft.Network/routeTables/routes",
        }],
        "subnets": [{"id": subnet_id(s), "resourceGroup": RG_SPOKE} for s in subnets],
        "tags": dict(TAGS),
        "type": "Microsoft.Network/routeTables",
    }]


# --------------------------------------------------------------------------
# Virtual networks: ARM REST list body from
# `az rest --method get --url /subscriptions/<sub>/providers/Microsoft.Network/virtualNetworks?api-version=2024-05-01`
# --------------------------------------------------------------------------

def vnet_arm(name, vid, prefixes, subnets, peer_name, peer_id, peer_prefixes, dns):
    return {
        "name": name,
        "id": vid,
        "etag": etag(name),
        "type": "Microsoft.Network/virtualNetworks",
        "location": LOCATION,
        "tags": dict(TAGS),
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": guid("vnet-guid:" + name),
            "addressSpace": {"addressPrefixes": prefixes},
            "dhcpOptions": {"dnsServers": dns},
            "subnets": subnets,
            "virtualNetworkPeerings": [{
                "name": peer_name,
                "id": vid + "/virtualNetworkPeerings/" + peer_name,
                "etag": etag(name + peer_name),
                "properties": {
                    "provisioningState": "Succeeded",
                    "resourceGuid": guid("peer:" + peer_name),
                    "peeringState": "Connected",
                    "peeringSyncLevel": "FullyInSync",
                    "remoteVirtualNetwork": {"id": peer_id},
                    "allowVirtualNetworkAccess": True,
                    "allowForwardedTraffic": name == HUB_VNET,
                    "allowGatewayTransit": False,
                    "useRemoteGateways": False,
                    "doNotVerifyRemoteGateways": False,
                    "peerCompleteVnets": True,
                    "remoteAddressSpace": {"addressPrefixes": peer_prefixes},
                    "remoteVirtualNetworkAddressSpace": {"addressPrefixes": peer_prefixes},
                },
                "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            }],
            "enableDdosProtection": True,
            "ddosProtectionPlan": {"id": rid(RG_HUB, "Microsoft.Network/ddosProtectionPlans", DDOS_PLAN)},
            "privateEndpointVNetPolicies": "Disabled",
        },
    }


def vnets_rest_list():
    spoke_subnets = []
    for s, (prefix, nsg, rt, endpoints) in SPOKE_SUBNETS.items():
        props = {
            "provisioningState": "Succeeded",
            "addressPrefix": prefix,
            "networkSecurityGroup": {"id": nsg_id(nsg)},
        }
        if rt:
            props["routeTable"] = {"id": route_table_id()}
        props["serviceEndpoints"] = [
            {"provisioningState": "Succeeded", "service": e, "locations": ["eastus2", "centralus"]}
            for e in endpoints
        ]
        props["delegations"] = []
        props["privateEndpointNetworkPolicies"] = "Disabled"
        props["privateLinkServiceNetworkPolicies"] = (
            "Enabled" if s == "snet-privatelinkendpoints" else "Disabled")
        spoke_subnets.append({
            "name": s, "id": subnet_id(s), "etag": etag(SPOKE_VNET + s), "properties": props,
            "type": "Microsoft.Network/virtualNetworks/subnets",
        })
    hub_subnets = []
    for s, prefix in HUB_SUBNETS.items():
        props = {"provisioningState": "Succeeded", "addressPrefix": prefix}
        if s == "AzureBastionSubnet":
            props["networkSecurityGroup"] = {
                "id": rid(RG_HUB, "Microsoft.Network/networkSecurityGroups", "nsg-eastus2-bastion")}
        props["serviceEndpoints"] = []
        props["delegations"] = []
        props["privateEndpointNetworkPolicies"] = "Disabled"
        props["privateLinkServiceNetworkPolicies"] = "Enabled"
        hub_subnets.append({
            "name": s, "id": hub_subnet_id(s), "etag": etag(HUB_VNET + s), "properties": props,
            "type": "Microsoft.Network/virtualNetworks/subnets",
        })
    return {"value": [
        vnet_arm(HUB_VNET, hub_vnet_id(), ["10.200.0.0/24"], hub_subnets,
                 "hub-to-" + SPOKE_VNET, spoke_vnet_id(), ["10.240.0.0/16"], []),
        vnet_arm(SPOKE_VNET, spoke_vnet_id(), ["10.240.0.0/16"], spoke_subnets,
                 "spoke-to-" + HUB_VNET, hub_vnet_id(), ["10.200.0.0/24"], [FIREWALL_IP]),
    ]}


# --------------------------------------------------------------------------
# Azure Firewall, its policy and rule collection groups (az network firewall ...)
# --------------------------------------------------------------------------

def firewall_show():
    pip = rid(RG_HUB, "Microsoft.Network/publicIPAddresses", "pip-fw-eastus2-default")
    return {
        "additionalProperties": {},
        "applicationRuleCollections": [],
        "etag": etag(FIREWALL),
        "firewallPolicy": {"id": firewall_policy_id(), "resourceGroup": RG_HUB},
        "id": firewall_id(),
        "ipConfigurations": [{
            "etag": etag(FIREWALL),
            "id": firewall_id() + "/azureFirewallIpConfigurations/pip-fw-eastus2-default",
            "name": "pip-fw-eastus2-default",
            "privateIPAddress": FIREWALL_IP,
            "provisioningState": "Succeeded",
            "publicIPAddress": {"id": pip, "resourceGroup": RG_HUB},
            "resourceGroup": RG_HUB,
            "subnet": {"id": hub_subnet_id("AzureFirewallSubnet"), "resourceGroup": RG_HUB},
            "type": "Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations",
        }],
        "location": LOCATION,
        "name": FIREWALL,
        "natRuleCollections": [],
        "networkRuleCollections": [],
        "provisioningState": "Succeeded",
        "resourceGroup": RG_HUB,
        "sku": {"name": "AZFW_VNet", "tier": "Premium"},
        "tags": {"BusinessUnit": "Connectivity", "Environment": "prod"},
        "type": "Microsoft.Network/azureFirewalls",
        "zones": ["1", "2", "3"],
    }


def firewall_policy_show():
    groups = ["DefaultNetworkRuleCollectionGroup", "DefaultApplicationRuleCollectionGroup"]
    return {
        "basePolicy": None,
        "childPolicies": [],
        "dnsSettings": {"enableProxy": True, "servers": []},
        "etag": etag(FIREWALL_POLICY),
        "firewalls": [{"id": firewall_id(), "resourceGroup": RG_HUB}],
        "id": firewall_policy_id(),
        "insights": {
            "isEnabled": True,
            "logAnalyticsResources": {
                "defaultWorkspaceId": {"id": rid(RG_HUB, "Microsoft.OperationalInsights/workspaces",
                                                 "la-hub-eastus2-" + SUFFIX_HUB)}},
            "retentionDays": 365,
        },
        "intrusionDetection": {
            "configuration": {"bypassTrafficSettings": [], "privateRanges": [],
                              "signatureOverrides": []},
            "mode": "Deny",
        },
        "location": LOCATION,
        "name": FIREWALL_POLICY,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_HUB,
        "ruleCollectionGroups": [
            {"id": firewall_policy_id() + "/ruleCollectionGroups/" + g, "resourceGroup": RG_HUB}
            for g in groups
        ],
        "sku": {"tier": "Premium"},
        "tags": {"BusinessUnit": "Connectivity", "Environment": "prod"},
        "threatIntelMode": "Deny",
        "threatIntelWhitelist": {"fqdns": [], "ipAddresses": []},
        "type": "Microsoft.Network/FirewallPolicies",
    }


SUFFIX_HUB = "q3m8z1rtv6kyb"
NODE_CIDRS = ["10.240.0.0/22", "10.240.4.0/22", "10.240.8.0/22"]


def net_rule(name, protocols, src, dst_addresses=(), dst_fqdns=(), ports=(), description=None):
    return {
        "description": description,
        "destinationAddresses": list(dst_addresses),
        "destinationFqdns": list(dst_fqdns),
        "destinationIpGroups": [],
        "destinationPorts": list(ports),
        "ipProtocols": list(protocols),
        "name": name,
        "ruleType": "NetworkRule",
        "sourceAddresses": list(src),
        "sourceIpGroups": [],
    }


def app_rule(name, src, fqdns=(), tags=(), description=None):
    return {
        "description": description,
        "destinationAddresses": [],
        "fqdnTags": list(tags),
        "httpHeadersToInsert": [],
        "name": name,
        "protocols": [{"port": 443, "protocolType": "Https"}],
        "ruleType": "ApplicationRule",
        "sourceAddresses": list(src),
        "sourceIpGroups": [],
        "targetFqdns": list(fqdns),
        "targetUrls": [],
        "terminateTls": False,
        "webCategories": [],
    }


def collection(name, priority, rules):
    return {"action": {"type": "Allow"}, "name": name, "priority": priority,
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "rules": rules}


def rule_collection_groups():
    base = firewall_policy_id() + "/ruleCollectionGroups/"
    network = {
        "etag": etag("net-rcg"),
        "id": base + "DefaultNetworkRuleCollectionGroup",
        "name": "DefaultNetworkRuleCollectionGroup",
        "priority": 200,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_HUB,
        "ruleCollections": [
            collection("org-wide-allowed", 100, [
                net_rule("ntp", ["UDP"], ["10.240.0.0/16"], dst_fqdns=["ntp.ubuntu.com"], ports=["123"],
                         description="Time sync for all spoke subnets."),
            ]),
            collection("AKS-Global-Requirements", 200, [
                net_rule("azure-monitor-ingestion", ["TCP"], NODE_CIDRS, dst_addresses=["AzureMonitor"],
                         ports=["443"], description="Container insights and managed Prometheus."),
                net_rule("azure-ad", ["TCP"], NODE_CIDRS, dst_addresses=["AzureActiveDirectory"],
                         ports=["443"], description="Workload identity token exchange."),
            ]),
        ],
        "type": "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
    }
    application = {
        "etag": etag("app-rcg"),
        "id": base + "DefaultApplicationRuleCollectionGroup",
        "name": "DefaultApplicationRuleCollectionGroup",
        "priority": 300,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_HUB,
        "ruleCollections": [
            collection("AKS-Global-Requirements", 200, [
                app_rule("aks-service", NODE_CIDRS, tags=["AzureKubernetesService"],
                         description="FQDNs AKS nodes need (fqdnTag)."),
            ]),
            collection("Monitoring-And-Defender", 300, [
                app_rule("azure-monitor", NODE_CIDRS, fqdns=[
                    "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com",
                    "*.monitoring.azure.com", "global.handler.control.monitor.azure.com",
                    "eastus2.handler.control.monitor.azure.com"]),
                app_rule("defender-for-containers", NODE_CIDRS, fqdns=[
                    "*.cloud.defender.microsoft.com"]),
            ]),
            collection("A0005-Outbound", 400, [
                app_rule("card-acquirer-api", ["10.240.4.0/22"], fqdns=["api.acquirer-gateway.example"],
                         description="microservice-a (a0005-i) sends authorisation requests to the acquirer."),
                app_rule("address-verification-api", ["10.240.8.0/22"], fqdns=["api.addressverify.example"],
                         description="microservice-b (a0005-o) calls the postcode lookup provider."),
            ]),
            collection("Management-Ops", 500, [
                app_rule("jumpbox-azure-management", ["10.240.15.0/28"], fqdns=[
                    "management.azure.com", "login.microsoftonline.com", "graph.microsoft.com",
                    "packages.microsoft.com"],
                         description="Jump box: az CLI and kubectl through Azure Bastion sessions."),
            ]),
        ],
        "type": "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
    }
    return [network, application]


# --------------------------------------------------------------------------
# Application Gateway and WAF policy
# --------------------------------------------------------------------------

def sub_res(kind, name, extra):
    out = {
        "etag": etag(APPGW),
        "id": appgw_id() + f"/{kind}/{name}",
        "name": name,
        "provisioningState": "Succeeded",
        "resourceGroup": RG_AKS,
        "type": f"Microsoft.Network/applicationGateways/{kind}",
    }
    out.update(extra)
    return out


def ref(kind, name):
    return {"id": appgw_id() + f"/{kind}/{name}", "resourceGroup": RG_AKS}


def appgw_show():
    pip = rid(RG_SPOKE, "Microsoft.Network/publicIPAddresses", "pip-BU0001A0005-00")
    mi = rid(RG_AKS, "Microsoft.ManagedIdentity/userAssignedIdentities", "mi-appgateway-frontend")
    kv = f"https://{KEY_VAULT}.vault.azure.net/secrets/"
    return {
        "authenticationCertificates": [],
        "autoscaleConfiguration": {"maxCapacity": 10, "minCapacity": 2},
        "backendAddressPools": [sub_res("backendAddressPools", "webappBackendPool", {
            "backendAddresses": [{"fqdn": INGRESS_HOST}]})],
        "backendHttpSettingsCollection": [sub_res("backendHttpSettingsCollection", "aks-ingress-backendpool-httpsettings", {
            "cookieBasedAffinity": "Disabled",
            "hostName": INGRESS_HOST,
            "pickHostNameFromBackendAddress": False,
            "port": 443,
            "probe": ref("probes", "probe-" + INGRESS_HOST),
            "protocol": "Https",
            "requestTimeout": 20,
            "trustedRootCertificates": [ref("trustedRootCertificates", "root-cert-wildcard-aks-ingress")],
        })],
        "backendSettingsCollection": [],
        "customErrorConfigurations": [],
        "enableHttp2": False,
        "etag": etag(APPGW),
        "firewallPolicy": {"id": waf_policy_id(), "resourceGroup": RG_AKS},
        "forceFirewallPolicyAssociation": True,
        "frontendIPConfigurations": [sub_res("frontendIPConfigurations", "agw-frontend-ip-configuration", {
            "httpListeners": [ref("httpListeners", "listener-https")],
            "privateIPAllocationMethod": "Dynamic",
            "publicIPAddress": {"id": pip, "resourceGroup": RG_SPOKE},
        })],
        "frontendPorts": [sub_res("frontendPorts", "port-443", {
            "httpListeners": [ref("httpListeners", "listener-https")], "port": 443})],
        "gatewayIPConfigurations": [sub_res("gatewayIPConfigurations", "agw-ip-configuration", {
            "subnet": {"id": subnet_id("snet-applicationgateway"), "resourceGroup": RG_SPOKE}})],
        "httpListeners": [sub_res("httpListeners", "listener-https", {
            "frontendIPConfiguration": ref("frontendIPConfigurations", "agw-frontend-ip-configuration"),
            "frontendPort": ref("frontendPorts", "port-443"),
            "hostName": PUBLIC_HOST,
            "hostNames": [],
            "protocol": "Https",
            "requestRoutingRules": [ref("requestRoutingRules", "agw-routing-rules")],
            "requireServerNameIndication": True,
            "sslCertificate": ref("sslCertificates", "agw-public-cert"),
        })],
        "id": appgw_id(),
        "identity": {"principalId": None, "tenantId": None, "type": "UserAssigned",
                     "userAssignedIdentities": {mi: {"clientId": guid("client:mi-appgw"),
                                                     "principalId": guid("object:mi-appgw")}}},
        "listeners": [],
        "loadDistributionPolicies": [],
        "location": LOCATION,
        "name": APPGW,
        "operationalState": "Running",
        "privateEndpointConnections": [],
        "privateLinkConfigurations": [],
        "probes": [sub_res("probes", "probe-" + INGRESS_HOST, {
            "backendHttpSettings": [ref("backendHttpSettingsCollection", "aks-ingress-backendpool-httpsettings")],
            "interval": 30,
            "match": {"statusCodes": ["200-399"]},
            "minServers": 0,
            "path": "/favicon.ico",
            "pickHostNameFromBackendHttpSettings": True,
            "protocol": "Https",
            "timeout": 30,
            "unhealthyThreshold": 3,
        })],
        "provisioningState": "Succeeded",
        "redirectConfigurations": [],
        "requestRoutingRules": [sub_res("requestRoutingRules", "agw-routing-rules", {
            "backendAddressPool": ref("backendAddressPools", "webappBackendPool"),
            "backendHttpSettings": ref("backendHttpSettingsCollection", "aks-ingress-backendpool-httpsettings"),
            "httpListener": ref("httpListeners", "listener-https"),
            "priority": 100,
            "ruleType": "Basic",
        })],
        "resourceGroup": RG_AKS,
        "resourceGuid": guid("agw-guid"),
        "rewriteRuleSets": [],
        "routingRules": [],
        "sku": {"capacity": None, "family": "Generation_1", "name": "WAF_v2", "tier": "WAF_v2"},
        "sslCertificates": [sub_res("sslCertificates", "agw-public-cert", {
            "httpListeners": [ref("httpListeners", "listener-https")],
            "keyVaultSecretId": kv + "gateway-public-cert"})],
        "sslPolicy": {
            "cipherSuites": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                             "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                             "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                             "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
            "minProtocolVersion": "TLSv1_2",
            "policyType": "CustomV2",
        },
        "sslProfiles": [],
        "tags": dict(TAGS),
        "trustedClientCertificates": [],
        "trustedRootCertificates": [sub_res("trustedRootCertificates", "root-cert-wildcard-aks-ingress", {
            "keyVaultSecretId": kv + "appgw-ingress-internal-aks-ingress-tls"})],
        "type": "Microsoft.Network/applicationGateways",
        "urlPathMaps": [],
        "zones": ["1", "2", "3"],
    }


def waf_policy_show():
    return {
        "applicationGateways": [{"id": appgw_id(), "resourceGroup": RG_AKS}],
        "customRules": [],
        "etag": etag(WAF_POLICY),
        "httpListeners": [],
        "id": waf_policy_id(),
        "location": LOCATION,
        "managedRules": {
            "exclusions": [],
            "managedRuleSets": [
                {"ruleGroupOverrides": [], "ruleSetType": "OWASP", "ruleSetVersion": "3.2"},
                {"ruleGroupOverrides": [], "ruleSetType": "Microsoft_BotManagerRuleSet",
                 "ruleSetVersion": "1.0"},
            ],
        },
        "name": WAF_POLICY,
        "pathBasedRules": [],
        "policySettings": {
            "fileUploadEnforcement": True,
            "fileUploadLimitInMb": 10,
            "jsChallengeCookieExpirationInMins": 30,
            "maxRequestBodySizeInKb": 128,
            "mode": "Prevention",
            "requestBodyCheck": True,
            "requestBodyEnforcement": True,
            "requestBodyInspectLimitInKB": 128,
            "state": "Enabled",
        },
        "provisioningState": "Succeeded",
        "resourceGroup": RG_AKS,
        "resourceState": "Enabled",
        "tags": dict(TAGS),
        "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
    }


# --------------------------------------------------------------------------
# Key Vault: the security team's compiled Bicep template (ARM JSON). The
# purge-protection flag is a parameter without a default: it stays an
# unresolved expression in the evidence.
# --------------------------------------------------------------------------

def key_vault_template():
    pe = f"pe-{KEY_VAULT}"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": {
            "_generator": {"name": "bicep", "version": "0.38.33.27573",
                           "templateHash": "14972346029385771201"}
        },
        "parameters": {
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "enablePurgeProtection": {
                "type": "bool",
                "metadata": {"description": "Set per environment in the security team's pipeline parameter file."},
            },
            "appGatewaySubnetId": {"type": "string"},
            "privateEndpointSubnetId": {"type": "string"},
            "privateDnsZoneId": {"type": "string"},
        },
        "resources": [
            {
                "type": "Microsoft.KeyVault/vaults",
                "apiVersion": "2023-07-01",
                "name": KEY_VAULT,
                "location": "[parameters('location')]",
                "tags": dict(TAGS),
                "properties": {
                    "tenantId": "[subscription().tenantId]",
                    "sku": {"family": "A", "name": "standard"},
                    "enableRbacAuthorization": True,
                    "enabledForDeployment": False,
                    "enabledForDiskEncryption": False,
                    "enabledForTemplateDeployment": False,
                    "enableSoftDelete": True,
                    "softDeleteRetentionInDays": 90,
                    "enablePurgeProtection": "[parameters('enablePurgeProtection')]",
                    "publicNetworkAccess": "Enabled",
                    "networkAcls": {
                        "bypass": "AzureServices",
                        "defaultAction": "Deny",
                        "ipRules": [],
                        "virtualNetworkRules": [
                            {"id": "[parameters('appGatewaySubnetId')]", "ignoreMissingVnetServiceEndpoint": False}
                        ],
                    },
                },
            },
            {
                "type": "Microsoft.Network/privateEndpoints",
                "apiVersion": "2024-05-01",
                "name": pe,
                "location": "[parameters('location')]",
                "properties": {
                    "subnet": {"id": "[parameters('privateEndpointSubnetId')]"},
                    "privateLinkServiceConnections": [{
                        "name": "to-" + SPOKE_VNET,
                        "properties": {
                            "privateLinkServiceId": f"[resourceId('Microsoft.KeyVault/vaults', '{KEY_VAULT}')]",
                            "groupIds": ["vault"],
                        },
                    }],
                },
                "dependsOn": [f"[resourceId('Microsoft.KeyVault/vaults', '{KEY_VAULT}')]"],
            },
            {
                "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                "apiVersion": "2024-05-01",
                "name": f"{pe}/default",
                "properties": {
                    "privateDnsZoneConfigs": [{
                        "name": "privatelink-vaultcore-azure-net",
                        "properties": {"privateDnsZoneId": "[parameters('privateDnsZoneId')]"},
                    }]
                },
                "dependsOn": [f"[resourceId('Microsoft.Network/privateEndpoints', '{pe}')]"],
            },
        ],
        "outputs": {
            "keyVaultId": {"type": "string", "value": f"[resourceId('Microsoft.KeyVault/vaults', '{KEY_VAULT}')]"}
        },
    }


# --------------------------------------------------------------------------
# ACR, Log Analytics, Defender plans, diagnostic settings
# --------------------------------------------------------------------------

def acr_show():
    pe_id = rid(RG_AKS, "Microsoft.Network/privateEndpoints", "pe-" + ACR)
    return {
        "adminUserEnabled": False,
        "anonymousPullEnabled": False,
        "creationDate": "2026-03-10T14:02:51.318815+00:00",
        "dataEndpointEnabled": True,
        "dataEndpointHostNames": [f"{ACR}.eastus2.data.azurecr.io"],
        "encryption": {"keyVaultProperties": None, "status": "disabled"},
        "id": acr_id(),
        "identity": None,
        "location": LOCATION,
        "loginServer": ACR_LOGIN,
        "metadataSearch": "Disabled",
        "name": ACR,
        "networkRuleBypassOptions": "AzureServices",
        "networkRuleSet": {"defaultAction": "Deny", "ipRules": []},
        "policies": {
            "azureAdAuthenticationAsArmPolicy": {"status": "enabled"},
            "exportPolicy": {"status": "disabled"},
            "quarantinePolicy": {"status": "enabled"},
            "retentionPolicy": {"days": 15, "lastUpdatedTime": "2026-03-10T14:05:12.771903+00:00",
                                "status": "enabled"},
            "softDeletePolicy": {"lastUpdatedTime": "2026-03-10T14:05:12.771946+00:00",
                                 "retentionDays": 7, "status": "disabled"},
            "trustPolicy": {"status": "disabled", "type": "Notary"},
        },
        "privateEndpointConnections": [{
            "groupIds": ["registry"],
            "id": acr_id() + "/privateEndpointConnections/" + "pe-" + ACR + "." + guid("acr-pec")[:8],
            "name": "pe-" + ACR + "." + guid("acr-pec")[:8],
            "privateEndpoint": {"id": pe_id, "resourceGroup": RG_AKS},
            "privateLinkServiceConnectionState": {"actionsRequired": "None",
                                                  "description": "Auto-Approved", "status": "Approved"},
            "provisioningState": "Succeeded",
            "resourceGroup": RG_AKS,
            "systemData": None,
            "type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
        }],
        "provisioningState": "Succeeded",
        "publicNetworkAccess": "Disabled",
        "resourceGroup": RG_AKS,
        "sku": {"name": "Premium", "tier": "Premium"},
        "status": None,
        "systemData": {
            "createdAt": "2026-03-10T14:02:51.318815+00:00",
            "createdBy": "pipeline-bu0001a0005-infra",
            "createdByType": "Application",
            "lastModifiedAt": "2026-09-02T08:41:27.102561+00:00",
            "lastModifiedBy": "pipeline-bu0001a0005-infra",
            "lastModifiedByType": "Application",
        },
        "tags": dict(TAGS),
        "type": "Microsoft.ContainerRegistry/registries",
        "zoneRedundancy": "Enabled",
    }


def workspace_show():
    return {
        "createdDate": "2026-03-10T13:58:40.4410276Z",
        "customerId": guid("la-customer"),
        "defaultDataCollectionRuleResourceId": None,
        "etag": '"' + guid("la-etag") + '"',
        "features": {
            "clusterResourceId": None,
            "disableLocalAuth": True,
            "enableDataExport": None,
            "enableLogAccessUsingOnlyResourcePermissions": True,
            "immediatePurgeDataOn30Days": None,
        },
        "forceCmkForQuery": None,
        "id": workspace_id(),
        "identity": None,
        "location": LOCATION,
        "modifiedDate": "2026-07-21T09:12:03.5518830Z",
        "name": WORKSPACE,
        "privateLinkScopedResources": None,
        "provisioningState": "Succeeded",
        "publicNetworkAccessForIngestion": "Enabled",
        "publicNetworkAccessForQuery": "Enabled",
        "replication": None,
        "resourceGroup": RG_AKS,
        "retentionInDays": 90,
        "sku": {"capacityReservationLevel": None, "lastSkuUpdate": "2026-03-10T13:58:40.4410276Z",
                "name": "PerGB2018"},
        "systemData": None,
        "tags": dict(TAGS),
        "type": "Microsoft.OperationalInsights/workspaces",
        "workspaceCapping": {"dailyQuotaGb": -1.0, "dataIngestionStatus": "RespectQuota",
                             "quotaNextResetTime": "2026-11-17T18:00:00Z"},
    }


def pricing(name, tier, sub_plan=None, extensions=None, deprecated=None, replaced=None,
            coverage="FullyCovered", enabled="2026-02-18T10:21:44.8071292+00:00"):
    return {
        "deprecated": deprecated,
        "enablementTime": enabled if tier == "Standard" else None,
        "enforce": "False",
        "extensions": extensions,
        "freeTrialRemainingTime": "0:00:00",
        "id": f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/{name}",
        "inherited": "True",
        "inheritedFrom": "/providers/Microsoft.Management/managementGroups/mg-harbourline-cde",
        "name": name,
        "pricingTier": tier,
        "replacedBy": replaced,
        "resourcesCoverageStatus": coverage if tier == "Standard" else "NotCovered",
        "subPlan": sub_plan,
        "type": "Microsoft.Security/pricings",
    }


def ext(name, enabled="True"):
    return {"additionalExtensionProperties": None, "isEnabled": enabled, "name": name,
            "operationStatus": {"code": "Succeeded", "message": None}}


def pricing_list():
    return {"value": [
        pricing("VirtualMachines", "Standard", "P2", [ext("MdeDesignatedSubscription", "False"),
                                                      ext("AgentlessVmScanning"), ext("FileIntegrityMonitoring")]),
        pricing("SqlServers", "Free"),
        pricing("AppServices", "Free"),
        pricing("StorageAccounts", "Standard", "DefenderForStorageV2",
                [ext("OnUploadMalwareScanning"), ext("SensitiveDataDiscovery")]),
        pricing("SqlServerVirtualMachines", "Free"),
        pricing("KubernetesService", "Free", deprecated=True, replaced=["Containers"]),
        pricing("ContainerRegistry", "Free", deprecated=True, replaced=["Containers"]),
        pricing("KeyVaults", "Standard", "PerKeyVault"),
        pricing("Dns", "Free", deprecated=True, replaced=["VirtualMachines"]),
        pricing("Arm", "Standard", "PerSubscription"),
        pricing("OpenSourceRelationalDatabases", "Free"),
        pricing("CosmosDbs", "Free"),
        pricing("Containers", "Standard", None, [
            ext("ContainerRegistriesVulnerabilityAssessments"), ext("AgentlessDiscoveryForKubernetes"),
            ext("ContainerSensor"), ext("ContainerIntegrityContribution")]),
        pricing("CloudPosture", "Standard", None, [
            ext("AgentlessVmScanning"), ext("AgentlessDiscoveryForKubernetes"),
            ext("SensitiveDataDiscovery"), ext("ContainerRegistriesVulnerabilityAssessments"),
            ext("EntraPermissionsManagement", "False")]),
        pricing("Api", "Free"),
        pricing("AI", "Free"),
    ]}


def log_setting(category, enabled):
    return {"category": category, "categoryGroup": None, "enabled": enabled,
            "retentionPolicy": {"days": 0, "enabled": False}}


def diagnostic_settings():
    base = cluster_id().lower() + "/providers/microsoft.insights/diagnosticSettings/"
    to_workspace = {
        "eventHubAuthorizationRuleId": None,
        "eventHubName": None,
        "id": base + "default",
        "logAnalyticsDestinationType": "Dedicated",
        "logs": [log_setting(c, e) for c, e in [
            ("kube-apiserver", True), ("kube-audit", False), ("kube-audit-admin", True),
            ("kube-controller-manager", True), ("kube-scheduler", True),
            ("cluster-autoscaler", True), ("cloud-controller-manager", False), ("guard", True),
            ("csi-azuredisk-controller", False), ("csi-azurefile-controller", False),
            ("csi-snapshot-controller", False), ("fleet-member-agent", False),
            ("fleet-member-net-controller-manager", False), ("fleet-mcs-controller-manager", False)]],
        "marketplacePartnerId": None,
        "metrics": [{"category": "AllMetrics", "enabled": True,
                     "retentionPolicy": {"days": 0, "enabled": False}, "timeGrain": None}],
        "name": "default",
        "resourceGroup": RG_AKS,
        "serviceBusRuleId": None,
        "storageAccountId": None,
        "systemData": None,
        "type": "Microsoft.Insights/diagnosticSettings",
        "workspaceId": workspace_id(),
    }
    archive = dict(to_workspace)
    archive.update({
        "id": base + "archive-to-storage",
        "logAnalyticsDestinationType": None,
        "logs": [log_setting(c, e) for c, e in [
            ("kube-apiserver", False), ("kube-audit", False), ("kube-audit-admin", True),
            ("kube-controller-manager", False), ("kube-scheduler", False),
            ("cluster-autoscaler", False), ("cloud-controller-manager", False), ("guard", True),
            ("csi-azuredisk-controller", False), ("csi-azurefile-controller", False),
            ("csi-snapshot-controller", False), ("fleet-member-agent", False),
            ("fleet-member-net-controller-manager", False), ("fleet-mcs-controller-manager", False)]],
        "metrics": [{"category": "AllMetrics", "enabled": False,
                     "retentionPolicy": {"days": 0, "enabled": False}, "timeGrain": None}],
        "name": "archive-to-storage",
        "storageAccountId": rid(RG_AKS, "Microsoft.Storage/storageAccounts", ARCHIVE_STORAGE),
        "workspaceId": None,
    })
    return [to_workspace, archive]


def write_all():
    az("azure/aks-cluster.json", aks_show())
    az("azure/nsgs.json", nsg_list())
    az("azure/route-tables.json", route_table_list())
    write_json("azure/vnets.arm.json", vnets_rest_list(), indent=2)
    az("azure/firewall.json", firewall_show())
    az("azure/firewall-policy.json", firewall_policy_show())
    az("azure/firewall-policy-rule-collection-groups.json", rule_collection_groups())
    az("azure/application-gateway.json", appgw_show())
    az("azure/waf-policy.json", waf_policy_show())
    write_json("azure/key-vault.template.json", key_vault_template(), indent=2)
    az("azure/container-registry.json", acr_show())
    az("azure/log-analytics-workspace.json", workspace_show())
    az("azure/defender-plans.json", pricing_list())
    az("azure/aks-diagnostic-settings.json", diagnostic_settings())
