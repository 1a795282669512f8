"""Azure Policy states (`az policy state list -o json`) and Defender for
Cloud assessments (ARM REST list body)."""

from common import (ACR, CLUSTER, RG_AKS, RG_HUB, RG_SPOKE, SUB, ARCHIVE_STORAGE, acr_id, appgw_id,
                    cluster_id, firewall_id, guid, key_vault_id, nsg_id, rid, spoke_vnet_id,
                    write_json)

PCI_SET = "496eeda9-8f2f-4d5e-8dfd-204f0a92ed41"
PCI_ASSIGNMENT = "pci-dss-3.2.1-cde"
PSS_SET = "42b8ef37-b724-4e24-bbc8-7a7708edfe00"
PSS_ASSIGNMENT = "aks-pss-restricted-audit"

# (definition id, reference id, action, groups)
PCI_POLICIES = {
    "mfa-owner": ("aa633080-8b72-40c4-a2d7-d00c03e80bed",
                  "previewAuditAccountsWithOwnerPermissionsWhoAreNotMfaEnabledOnASubscription",
                  "auditifnotexists", ["3.2", "7.2.1", "8.3.1"]),
    "mfa-write": ("9297c21d-2ed6-4474-b48f-163f75654ce3",
                  "previewAuditAccountsWithWritePermissionsWhoAreNotMfaEnabledOnASubscription",
                  "auditifnotexists", ["3.2", "7.2.1", "8.3.1"]),
    "deprecated-accounts": ("6b1cbf55-e8b6-442f-ba4c-7246b6381474",
                            "previewAuditDeprecatedAccountsOnASubscription",
                            "auditifnotexists", ["8.1.2", "8.1.3", "8.1.5"]),
    "deprecated-owner-accounts": ("ebb62a0c-3560-49e1-89ed-27e074e9f8ad",
                                  "previewAuditDeprecatedAccountsWithOwnerPermissionsOnASubscription",
                                  "auditifnotexists", ["8.1.2", "8.1.3", "8.1.5"]),
    "external-owner": ("f8456c1c-aa66-4dfb-861a-25d127b775c9",
                       "previewAuditExternalAccountsWithOwnerPermissionsOnASubscription",
                       "auditifnotexists", ["3.2", "7.2.1", "8.1.2", "8.1.5", "8.3.1"]),
    "max-owners": ("4f11b553-d42e-4e3a-89be-32ca364cad4c",
                   "previewAuditMaximumNumberOfOwnersForASubscription",
                   "auditifnotexists", ["7.1.1", "7.1.2", "7.1.3"]),
    "min-owners": ("09024ccc-0c5f-475e-9457-b7c0d9ed487b",
                   "previewAuditMinimumNumberOfOwnersForSubscription",
                   "auditifnotexists", ["7.1.1", "7.1.2", "7.1.3"]),
    "diagnostic-setting": ("7f89b1eb-583c-429a-8828-af049802c1d9", "auditDiagnosticSetting",
                           "auditifnotexists", ["10.3", "10.5.4"]),
    "storage-network": ("34c877ad-507e-4c82-993e-3452a6e0ad3c",
                        "auditUnrestrictedNetworkAccessToStorageAccounts", "audit", ["1.3.2", "1.3.4"]),
    "storage-secure-transfer": ("404c3081-a854-4457-ae30-26a93ef643f9",
                                "auditSecureTransferToStorageAccounts", "audit", ["3.4", "4.1", "6.5.3"]),
    "system-updates": ("86b3d65f-7626-441e-b690-81a8b71cff60",
                       "previewMonitorMissingSystemUpdatesInAzureSecurityCenter",
                       "auditifnotexists", ["11.2.1", "5.1", "6.2", "6.6"]),
    "endpoint-protection": ("af6cd1bd-1635-48cb-bde7-5b15693900b9",
                            "previewMonitorMissingEndpointProtectionInAzureSecurityCenter",
                            "auditifnotexists", ["11.2.1", "5.1", "6.2", "6.6"]),
}


def state(assignment, set_id, set_version, definition_id, reference_id, action, groups,
          resource_id, resource_type, resource_group, compliant, stamp, definition_version,
          set_category):
    sub = f"/subscriptions/{SUB}"
    return {
        "complianceReasonCode": "",
        "complianceState": "Compliant" if compliant else "NonCompliant",
        "components": None,
        "effectiveParameters": "",
        "isCompliant": compliant,
        "managementGroupIds": "mg-harbourline,mg-harbourline-cde",
        "odataContext": f"https://management.azure.com{sub}/providers/Microsoft.PolicyInsights/policyStates/$metadata#latest/$entity",
        "odataId": None,
        "policyAssignmentId": f"{sub}/providers/microsoft.authorization/policyassignments/{assignment}",
        "policyAssignmentName": assignment,
        "policyAssignmentOwner": "tbd",
        "policyAssignmentParameters": "",
        "policyAssignmentScope": sub,
        "policyAssignmentVersion": "",
        "policyDefinitionAction": action,
        "policyDefinitionCategory": "tbd",
        "policyDefinitionGroupNames": groups,
        "policyDefinitionId": f"/providers/microsoft.authorization/policydefinitions/{definition_id}",
        "policyDefinitionName": definition_id,
        "policyDefinitionReferenceId": reference_id.lower(),
        "policyDefinitionVersion": definition_version,
        "policyEvaluationDetails": None,
        "policySetDefinitionCategory": set_category,
        "policySetDefinitionId": f"/providers/microsoft.authorization/policysetdefinitions/{set_id}",
        "policySetDefinitionName": set_id,
        "policySetDefinitionOwner": "",
        "policySetDefinitionParameters": "",
        "policySetDefinitionVersion": set_version,
        "resourceGroup": resource_group,
        "resourceId": resource_id,
        "resourceLocation": "eastus2" if resource_group else "",
        "resourceTags": "tbd",
        "resourceType": resource_type,
        "subscriptionId": SUB,
        "timestamp": stamp,
    }


def pci(key, resource_id, resource_type, resource_group, compliant, stamp):
    definition_id, reference_id, action, groups = PCI_POLICIES[key]
    return state(PCI_ASSIGNMENT, PCI_SET, "6.0.0", definition_id, reference_id, action,
                 ["PCI_DSS_V3.2.1_" + g for g in groups], resource_id, resource_type,
                 resource_group, compliant, stamp, "3.0.0", "regulatory compliance")


def pss(definition_id, reference_id, compliant, stamp):
    return state(PSS_ASSIGNMENT, PSS_SET, "5.1.0", definition_id, reference_id, "audit", [],
                 cluster_id(), "Microsoft.ContainerService/managedClusters", RG_AKS, compliant, stamp,
                 "9.1.0", "kubernetes")


def policy_states():
    sub = f"/subscriptions/{SUB}"
    subtype = "Microsoft.Resources/subscriptions"
    storage = rid(RG_AKS, "Microsoft.Storage/storageAccounts", ARCHIVE_STORAGE)
    jumpbox = rid(RG_AKS, "Microsoft.Compute/virtualMachineScaleSets", "vmss-jumpboxes")
    day = "2026-11-17T0"
    out = [
        pci("mfa-owner", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        pci("mfa-write", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        # The deliberate gap: a leaver's account still holds a role assignment.
        pci("deprecated-accounts", sub, subtype, "", False, day + "3:12:41.5310392Z"),
        pci("deprecated-owner-accounts", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        pci("external-owner", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        pci("max-owners", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        pci("min-owners", sub, subtype, "", True, day + "3:12:41.5310392Z"),
        pci("diagnostic-setting", cluster_id(), "Microsoft.ContainerService/managedClusters", RG_AKS,
            True, day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", key_vault_id(), "Microsoft.KeyVault/vaults", RG_AKS, True,
            day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", acr_id(), "Microsoft.ContainerRegistry/registries", RG_AKS, True,
            day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", appgw_id(), "Microsoft.Network/applicationGateways", RG_AKS, True,
            day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", firewall_id(), "Microsoft.Network/azureFirewalls", RG_HUB, True,
            day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", spoke_vnet_id(), "Microsoft.Network/virtualNetworks", RG_SPOKE, True,
            day + "3:14:02.2021771Z"),
        pci("diagnostic-setting", nsg_id("appgw"), "Microsoft.Network/networkSecurityGroups", RG_SPOKE,
            True, day + "3:14:02.2021771Z"),
        pci("storage-network", storage, "Microsoft.Storage/storageAccounts", RG_AKS, True,
            day + "3:15:27.9021345Z"),
        pci("storage-secure-transfer", storage, "Microsoft.Storage/storageAccounts", RG_AKS, True,
            day + "3:15:27.9021345Z"),
        pci("system-updates", jumpbox, "Microsoft.Compute/virtualMachineScaleSets", RG_AKS, True,
            day + "3:16:50.0772101Z"),
        pci("endpoint-protection", jumpbox, "Microsoft.Compute/virtualMachineScaleSets", RG_AKS, True,
            day + "3:16:50.0772101Z"),
        # Pod security (restricted) initiative, audit mode: no PCI groups.
        pss("95edb821-ddaf-4404-9732-666045e056b4", "k8sAzureV2NoPrivilege", True,
            day + "4:02:10.4462013Z"),
        pss("c26596ff-4d70-4e6a-9a30-c2506bd2f80c", "k8sAzureAllowedCapabilities", False,
            day + "4:02:10.4462013Z"),
        pss("f06ddb64-5fa3-4b77-b166-acb36f7f6042", "k8sAzureAllowedUsersGroups", True,
            day + "4:02:10.4462013Z"),
        pss("1c6e92c9-99f0-4e55-9cf2-0c234dc48f99", "k8sAzureNoPrivilegeEscalation", True,
            day + "4:02:10.4462013Z"),
    ]
    return out


def assessment(key, display, severity, code, resource_id, cause="", description="", categories=None):
    return {
        "type": "Microsoft.Security/assessments",
        "id": resource_id + "/providers/Microsoft.Security/assessments/" + key,
        "name": key,
        "properties": {
            "resourceDetails": {"Source": "Azure", "Id": resource_id},
            "displayName": display,
            "status": {
                "code": code,
                "cause": cause,
                "description": description,
                "firstEvaluationDate": "2026-03-11T02:40:17.0931744Z",
                "statusChangeDate": "2026-10-29T05:12:55.1830211Z",
            },
            "additionalData": {},
            "metadata": {
                "displayName": display,
                "assessmentType": "BuiltIn",
                "severity": severity,
                "categories": categories or ["Compute"],
            },
            "links": {
                "azurePortalUri": f"https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/{key}"
            },
        },
    }


def defender_assessments():
    aks = cluster_id()
    return {"value": [
        assessment("56a83a6e-c417-42ec-b567-1e6fcb3d09a9",
                   "Azure Kubernetes Service clusters should have Defender profile enabled", "High",
                   "Healthy", aks),
        assessment("1a2b5b4c-f80d-46e7-ac81-b51a9fb363de",
                   "Kubernetes clusters should be accessible only over HTTPS", "High", "Healthy", aks),
        assessment("8d244d29-fa00-4332-b935-c3a51d525417",
                   "Container images should be deployed from trusted registries only", "High",
                   "Healthy", aks),
        assessment("5d90913f-a1c5-4429-ad54-2c6c17fb3c73",
                   "Privileged containers should be avoided", "High", "Healthy", aks),
        assessment("11c95609-3553-430d-b788-fd41cde8b2db",
                   "Least privileged Linux capabilities should be enforced for containers", "Medium",
                   "Unhealthy", aks, cause="OffByPolicy",
                   description="1 container in namespace a0005-o does not drop ALL capabilities"),
        assessment("1ff2a0bd-b5c9-4a56-a1bc-19b8d3d0d7c9",
                   "Authorized IP ranges should be defined on Kubernetes Services", "High",
                   "NotApplicable", aks, cause="Exempt",
                   description="Private cluster: the API server has no public endpoint"),
        assessment("245fc9df-fa96-4fd5-85c4-ab4d3e4e27b7",
                   "Diagnostic logs in Kubernetes services should be enabled", "Low", "Healthy", aks),
    ]}


def write_all():
    write_json("azure/policy-states.json", policy_states(), indent=2, sort_keys=True)
    write_json("azure/defender-assessments.arm.json", defender_assessments(), indent=2)
