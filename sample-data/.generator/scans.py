"""Scanner outputs: Trivy image reports, kube-bench, Kubescape, Checkov SARIF, Falco."""

import json

from common import (ACR_LOGIN, CLUSTER, IMAGES, guid, hexid, image_id, node_names, write_json,
                    write_text)

TRIVY_VERSION = "0.68.2"

DEBIAN_DS = {"ID": "debian", "Name": "Debian Security Tracker",
             "URL": "https://salsa.debian.org/security-tracker-team/security-tracker"}
GHSA_GO_DS = {"ID": "ghsa", "Name": "GitHub Security Advisory Go",
              "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago"}

# Vulnerability records: facts (IDs, versions, severities, statuses) as the
# public advisories state them; titles and descriptions in our own words.
VULNS = {
    "CVE-2023-39325": dict(
        PkgName="golang.org/x/net", InstalledVersion="v0.15.0", FixedVersion="0.17.0", Status="fixed",
        Severity="HIGH", Type="gobinary", CweIDs=["CWE-770"],
        Title="golang: net/http, x/net/http2: rapid stream resets can cause excessive work (CVE-2023-44487)",
        Description="An HTTP/2 client that opens streams and resets them at once can make a server do "
                    "unbounded work; the fixed releases cap concurrently running handlers per connection.",
        CVSS={"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 7.5}},
        VendorSeverity={"ghsa": 3, "nvd": 3, "redhat": 3},
        PublishedDate="2023-10-11T22:15:09.88Z", LastModifiedDate="2024-04-28T04:15:10.8Z"),
    "CVE-2023-44487": dict(
        PkgName="golang.org/x/net", InstalledVersion="v0.15.0", FixedVersion="0.17.0", Status="fixed",
        Severity="MEDIUM", Type="gobinary", CweIDs=["CWE-400"],
        Title="HTTP/2: Multiple HTTP/2 enabled web servers are vulnerable to a DDoS attack (Rapid Reset Attack)",
        Description="The HTTP/2 protocol lets a client cancel requests cheaply, which can be abused to "
                    "exhaust server resources quickly.",
        CVSS={"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "V3Score": 5.3}},
        VendorSeverity={"ghsa": 2, "nvd": 3, "redhat": 3},
        PublishedDate="2023-10-10T14:15:10.883Z", LastModifiedDate="2024-08-14T19:57:18.8Z"),
    "CVE-2024-45338": dict(
        PkgName="golang.org/x/net", InstalledVersion="v0.30.0", FixedVersion="0.33.0", Status="fixed",
        Severity="MEDIUM", Type="gobinary", CweIDs=["CWE-1333"],
        Title="golang.org/x/net/html: Non-linear parsing of case-insensitive content in golang.org/x/net/html",
        Description="Crafted input can make the HTML parser take time that grows faster than the input, "
                    "slowing a service that parses untrusted HTML.",
        CVSS={"ghsa": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "V3Score": 5.3}},
        VendorSeverity={"ghsa": 2, "redhat": 2},
        PublishedDate="2024-12-18T21:15:08.173Z", LastModifiedDate="2025-02-21T18:15:17.717Z"),
    "CVE-2023-45853": dict(
        PkgName="zlib1g", InstalledVersion="1:1.2.13.dfsg-1", Status="will_not_fix", Severity="CRITICAL",
        Type="debian", CweIDs=["CWE-190"], SrcName="zlib", SrcVersion="1:1.2.13.dfsg-1",
        Title="zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
        Description="The minizip code shipped with zlib can overflow an integer when given an over-long "
                    "file name, comment or extra field; Debian does not ship minizip in this package and "
                    "will not fix it here.",
        CVSS={"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}},
        VendorSeverity={"nvd": 4, "debian": 1, "redhat": 2},
        PublishedDate="2023-10-14T02:15:09.323Z", LastModifiedDate="2024-12-20T17:41:31.237Z"),
    "CVE-2011-3374": dict(
        PkgName="apt", InstalledVersion="2.6.1", Status="affected", Severity="LOW", Type="debian",
        CweIDs=["CWE-347"], SrcName="apt", SrcVersion="2.6.1",
        Title="It was found that apt-key in apt, all versions, do not correctly validate gpg keys with t ...",
        Description="apt-key does not check the master keyring properly, which could let a forged key "
                    "be accepted in some download scenarios.",
        CVSS={"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", "V3Score": 3.7}},
        VendorSeverity={"debian": 1, "nvd": 1},
        PublishedDate="2019-11-26T00:15:11.03Z", LastModifiedDate="2024-11-21T01:30:22.163Z"),
    "CVE-2022-0563": dict(
        PkgName="libblkid1", InstalledVersion="2.38.1-5+deb12u3", Status="affected", Severity="LOW",
        Type="debian", CweIDs=["CWE-209"], SrcName="util-linux", SrcVersion="2.38.1-5+deb12u3",
        Title="util-linux: partial disclosure of arbitrary files in chfn and chsh when compiled with libreadline",
        Description="chfn and chsh built with readline can leak parts of files a user may not read.",
        CVSS={"nvd": {"V3Vector": "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", "V3Score": 5.5}},
        VendorSeverity={"debian": 1, "nvd": 2, "redhat": 2},
        PublishedDate="2022-02-21T19:15:08.393Z", LastModifiedDate="2024-11-21T06:38:56.09Z"),
    "CVE-2023-4039": dict(
        PkgName="libgcc-s1", InstalledVersion="12.2.0-14+deb12u1", Status="affected", Severity="MEDIUM",
        Type="debian", CweIDs=["CWE-693"], SrcName="gcc-12", SrcVersion="12.2.0-14+deb12u1",
        Title="gcc: -fstack-protector fails to guard dynamic stack allocations on ARM64",
        Description="On AArch64 the stack protector does not cover variable-length stack allocations, "
                    "so some overflows are not detected.",
        CVSS={"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", "V3Score": 4.8}},
        VendorSeverity={"debian": 1, "nvd": 2, "redhat": 2},
        PublishedDate="2023-09-13T09:15:15.69Z", LastModifiedDate="2024-11-21T08:34:15.66Z"),
    "CVE-2024-2236": dict(
        PkgName="libgcrypt20", InstalledVersion="1.10.1-3", Status="affected", Severity="MEDIUM",
        Type="debian", CweIDs=["CWE-208"], SrcName="libgcrypt20", SrcVersion="1.10.1-3",
        Title="libgcrypt: vulnerable to Marvin Attack",
        Description="Timing differences in RSA decryption could let an attacker recover plaintext "
                    "over many observations.",
        CVSS={"redhat": {"V3Vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "V3Score": 5.9}},
        VendorSeverity={"debian": 1, "redhat": 2},
        PublishedDate="2024-03-06T22:15:57.977Z", LastModifiedDate="2025-04-02T14:15:43.033Z"),
    "CVE-2005-2541": dict(
        PkgName="tar", InstalledVersion="1.34+dfsg-1.2+deb12u1", Status="affected", Severity="LOW",
        Type="debian", CweIDs=["CWE-281"], SrcName="tar", SrcVersion="1.34+dfsg-1.2+deb12u1",
        Title="tar: does not properly warn the user when extracting setuid or setgid files",
        Description="tar keeps setuid and setgid bits when extracting as root without warning.",
        CVSS={"nvd": {"V2Vector": "AV:N/AC:L/Au:N/C:C/I:C/A:C", "V2Score": 10}},
        VendorSeverity={"debian": 1, "nvd": 4, "redhat": 2},
        PublishedDate="2005-08-10T04:00:00Z", LastModifiedDate="2025-04-03T01:03:51.193Z"),
}


def vuln(cve, layer):
    v = VULNS[cve]
    gob = v["Type"] == "gobinary"
    if gob:
        pkg_id = f"{v['PkgName']}@{v['InstalledVersion']}"
        purl = f"pkg:golang/{v['PkgName']}@{v['InstalledVersion']}"
    else:
        pkg_id = f"{v['PkgName']}@{v['InstalledVersion']}"
        purl = f"pkg:deb/debian/{v['PkgName']}@{v['InstalledVersion'].replace(':', '%3A')}?arch=amd64&distro=debian-12.12"
    out = {
        "VulnerabilityID": cve,
        "PkgID": pkg_id,
        "PkgName": v["PkgName"],
        "PkgIdentifier": {"PURL": purl, "UID": hexid("uid:" + purl, 16)},
        "InstalledVersion": v["InstalledVersion"],
    }
    if "FixedVersion" in v:
        out["FixedVersion"] = v["FixedVersion"]
    out["Status"] = v["Status"]
    out["Layer"] = layer
    if not gob:
        out["SeveritySource"] = "debian" if v["Severity"] != "CRITICAL" else "nvd"
    else:
        out["SeveritySource"] = "ghsa"
    out["PrimaryURL"] = "https://avd.aquasec.com/nvd/" + cve.lower()
    out["DataSource"] = GHSA_GO_DS if gob else DEBIAN_DS
    out["Fingerprint"] = "sha256:" + hexid("fp:" + cve + pkg_id + layer["DiffID"], 64)
    out["Title"] = v["Title"]
    out["Description"] = v["Description"]
    out["Severity"] = v["Severity"]
    out["CweIDs"] = v["CweIDs"]
    out["VendorSeverity"] = v["VendorSeverity"]
    out["CVSS"] = v["CVSS"]
    out["References"] = [f"https://nvd.nist.gov/vuln/detail/{cve}",
                         f"https://www.cve.org/CVERecord?id={cve}"]
    out["PublishedDate"] = v["PublishedDate"]
    out["LastModifiedDate"] = v["LastModifiedDate"]
    return out


# image key -> (OS family, OS name, base description, OS vulns, lang type, lang target, lang vulns)
TRIVY_IMAGES = {
    "web-frontend": ("debian", "12.12", "gcr.io/distroless/static-debian12", [], "gobinary", "app/web-frontend", []),
    "microservice-a": ("debian", "12.12", "gcr.io/distroless/static-debian12", [], "gobinary",
                       "app/microservice-a", ["CVE-2024-45338"]),
    "microservice-b": ("debian", "12.12", "python:3.12-slim-bookworm",
                       ["CVE-2011-3374", "CVE-2022-0563", "CVE-2023-4039", "CVE-2024-2236", "CVE-2005-2541",
                        "CVE-2023-45853"], "python-pkg", "Python", []),
    "microservice-c": ("debian", "12.12", "gcr.io/distroless/static-debian12", [], "gobinary",
                       "app/microservice-c", ["CVE-2023-39325", "CVE-2023-44487"]),
    "ingress-nginx-controller": ("alpine", "3.22.2", "alpine:3.22", [], "gobinary", "nginx-ingress-controller", []),
    "falco": ("debian", "12.12", "debian:12-slim", ["CVE-2011-3374", "CVE-2022-0563", "CVE-2005-2541"],
              None, None, []),
}


def trivy_report(key, minute):
    os_family, os_name, base, os_vulns, lang_type, lang_target, lang_vulns = TRIVY_IMAGES[key]
    repo, tag = IMAGES[key]
    ref = f"{ACR_LOGIN}/{repo}:{tag}"
    layers = []
    for i in range(3 if os_family == "debian" else 4):
        layers.append({"Size": 1048576 * (i + 1) * 7 + 4096 * i,
                       "Digest": "sha256:" + hexid(f"layer:{key}:{i}", 64),
                       "DiffID": "sha256:" + hexid(f"diff:{key}:{i}", 64)})
    base_layer = {"Digest": layers[0]["Digest"], "DiffID": layers[0]["DiffID"]}
    app_layer = {"Digest": layers[-1]["Digest"], "DiffID": layers[-1]["DiffID"]}
    image_config_digest = "sha256:" + hexid("config:" + key, 64)
    results = []
    os_result = {"Target": f"{ref} ({os_family} {os_name})", "Class": "os-pkgs", "Type": os_family}
    if os_vulns:
        os_result["Vulnerabilities"] = [vuln(c, base_layer) for c in os_vulns]
    results.append(os_result)
    if lang_type:
        lang = {"Target": lang_target, "Class": "lang-pkgs", "Type": lang_type}
        if lang_vulns:
            lang["Vulnerabilities"] = [vuln(c, app_layer) for c in lang_vulns]
        results.append(lang)
    user = {"falco": "", "ingress-nginx-controller": "www-data"}.get(key, "10001:10001")
    return {
        "SchemaVersion": 2,
        "Trivy": {"Version": TRIVY_VERSION},
        "ReportID": guid("trivy-report:" + key),
        "CreatedAt": f"2026-11-17T06:{minute:02d}:{(minute * 7) % 60:02d}.{int(hexid(key, 8), 16) % 10**9:09d}Z",
        "ArtifactID": "sha256:" + hexid("artifact:" + key, 64),
        "ArtifactName": ref,
        "ArtifactType": "container_image",
        "Metadata": {
            "Size": sum(layer["Size"] for layer in layers),
            "OS": {"Family": os_family, "Name": os_name},
            "ImageID": image_config_digest,
            "DiffIDs": [layer["DiffID"] for layer in layers],
            "RepoTags": [ref],
            "RepoDigests": [image_id(key)],
            "Reference": ref,
            "ImageConfig": {
                "architecture": "amd64",
                "created": "2026-10-02T11:48:09.551329118Z",
                "history": [
                    {"created": "2025-09-06T00:00:00Z", "created_by": f"# base image {base}"},
                    {"created": "2026-10-02T11:47:58.104228511Z",
                     "created_by": "COPY /out/ / # buildkit", "comment": "buildkit.dockerfile.v0"},
                    {"created": "2026-10-02T11:48:09.551329118Z",
                     "created_by": f"USER {user or '0'}", "comment": "buildkit.dockerfile.v0",
                     "empty_layer": True},
                ],
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [layer["DiffID"] for layer in layers]},
                "config": {
                    "User": user,
                    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                    "Labels": {"org.opencontainers.image.source": f"https://dev.azure.com/harbourline/a0005/_git/{key}",
                               "org.opencontainers.image.revision": hexid("rev:" + key, 40)},
                },
            },
            "Layers": layers,
        },
        "Results": results,
    }


# --------------------------------------------------------------------------
# kube-bench (CIS AKS benchmark) --json
# --------------------------------------------------------------------------

def kb_test(number, desc, status, audit, remediation, scored=True, actual="", expected="", manual=False):
    return {
        "test_number": number,
        "test_desc": desc,
        "audit": audit,
        "AuditEnv": "",
        "AuditConfig": "",
        "type": "manual" if manual else "",
        "remediation": remediation,
        "test_info": [remediation],
        "status": status,
        "actual_value": actual,
        "scored": scored,
        "IsMultiple": False,
        "expected_result": expected,
    }


KUBELET_AUDIT = "/bin/ps -fC kubelet"
KUBELET_CFG = "/bin/cat /etc/default/kubeletconfig.json"


def kube_bench():
    node_files = [
        kb_test("3.1.1", "Ensure that the kubeconfig file permissions are set to 644 or more restrictive (Automated)",
                "PASS", "/bin/sh -c 'if test -e /var/lib/kubelet/kubeconfig; then stat -c permissions=%a /var/lib/kubelet/kubeconfig; fi' ",
                "chmod 644 /var/lib/kubelet/kubeconfig\n", actual="permissions=600",
                expected="permissions has permissions 600, expected 644 or more restrictive"),
        kb_test("3.1.2", "Ensure that the kubelet kubeconfig file ownership is set to root:root (Automated)",
                "PASS", "/bin/sh -c 'if test -e /var/lib/kubelet/kubeconfig; then stat -c %U:%G /var/lib/kubelet/kubeconfig; fi' ",
                "chown root:root /var/lib/kubelet/kubeconfig\n", actual="root:root",
                expected="'root:root' is present"),
        kb_test("3.1.3", "Ensure that the azure.json file has permissions set to 644 or more restrictive (Automated)",
                "PASS", "/bin/sh -c 'if test -e /etc/kubernetes/azure.json; then stat -c permissions=%a /etc/kubernetes/azure.json; fi' ",
                "chmod 644 /etc/kubernetes/azure.json\n", actual="permissions=600",
                expected="permissions has permissions 600, expected 644 or more restrictive"),
        kb_test("3.1.4", "Ensure that the azure.json file ownership is set to root:root (Automated)",
                "PASS", "/bin/sh -c 'if test -e /etc/kubernetes/azure.json; then stat -c %U:%G /etc/kubernetes/azure.json; fi' ",
                "chown root:root /etc/kubernetes/azure.json\n", actual="root:root",
                expected="'root:root' is present"),
    ]
    kubelet = [
        ("3.2.1", "Ensure that the --anonymous-auth argument is set to false (Automated)",
         "'{.authentication.anonymous.enabled}' is equal to 'false'", "false"),
        ("3.2.2", "Ensure that the --authorization-mode argument is not set to AlwaysAllow (Automated)",
         "'{.authorization.mode}' does not have 'AlwaysAllow'", "Webhook"),
        ("3.2.3", "Ensure that the --client-ca-file argument is set as appropriate (Automated)",
         "'{.authentication.x509.clientCAFile}' is present", "/etc/kubernetes/certs/ca.crt"),
        ("3.2.4", "Ensure that the --read-only-port is secured (Automated)",
         "'{.readOnlyPort}' is equal to '0'", "0"),
        ("3.2.5", "Ensure that the --streaming-connection-idle-timeout argument is not set to 0 (Automated)",
         "'{.streamingConnectionIdleTimeout}' is not equal to '0'", "4h0m0s"),
        ("3.2.6", "Ensure that the --make-iptables-util-chains argument is set to true (Automated)",
         "'{.makeIPTablesUtilChains}' is equal to 'true'", "true"),
        ("3.2.7", "Ensure that the --eventRecordQPS argument is set to 0 or a level which ensures appropriate event capture (Automated)",
         "'{.eventRecordQPS}' is greater or equal to 0", "5"),
        ("3.2.8", "Ensure that the --rotate-certificates argument is not set to false (Automated)",
         "'{.rotateCertificates}' is present", "true"),
        ("3.2.9", "Ensure that the RotateKubeletServerCertificate argument is set to true (Automated)",
         "'{.featureGates.RotateKubeletServerCertificate}' is equal to 'true'", "true"),
    ]
    kubelet_tests = [
        kb_test(n, d, "PASS", KUBELET_AUDIT, "Edit the kubelet configuration on each node and restart the kubelet.\n",
                actual=a, expected=e)
        for n, d, e, a in kubelet
    ]
    node = {
        "id": "3", "version": "aks-1.7", "detected_version": "1.33",
        "text": "Worker Node Security Configuration", "node_type": "node",
        "tests": [
            {"section": "3.1", "type": "", "pass": 4, "fail": 0, "warn": 0, "info": 0,
             "desc": "Worker Node Configuration Files", "results": node_files},
            {"section": "3.2", "type": "", "pass": 9, "fail": 0, "warn": 0, "info": 0,
             "desc": "Kubelet", "results": kubelet_tests},
        ],
        "total_pass": 13, "total_fail": 0, "total_warn": 0, "total_info": 0,
    }

    def manual(number, desc, remediation):
        return kb_test(number, desc, "WARN", "", remediation, scored=False, manual=True)

    policies = {
        "id": "4", "version": "aks-1.7", "detected_version": "1.33", "text": "Policies",
        "node_type": "policies",
        "tests": [
            {"section": "4.1", "type": "", "pass": 0, "fail": 0, "warn": 6, "info": 0, "desc": "RBAC and Service Accounts",
             "results": [
                 manual("4.1.1", "Ensure that the cluster-admin role is only used where required (Manual)",
                        "Identify all clusterrolebindings to the cluster-admin role and remove those not needed.\n"),
                 manual("4.1.2", "Minimize access to secrets (Manual)",
                        "Remove get, list and watch access to Secret objects where possible.\n"),
                 manual("4.1.3", "Minimize wildcard use in Roles and ClusterRoles (Manual)",
                        "Replace wildcards in clusterroles and roles with specific objects or actions.\n"),
                 manual("4.1.4", "Minimize access to create pods (Manual)",
                        "Remove create access to pod objects where possible.\n"),
                 manual("4.1.5", "Ensure that default service accounts are not actively used (Manual)",
                        "Create explicit service accounts wherever a workload needs API access.\n"),
                 manual("4.1.6", "Ensure that Service Account Tokens are only mounted where necessary (Manual)",
                        "Set automountServiceAccountToken: false where tokens are not needed.\n"),
             ]},
            {"section": "4.2", "type": "", "pass": 0, "fail": 0, "warn": 5, "info": 0, "desc": "Pod Security Standards",
             "results": [
                 manual("4.2.1", "Minimize the admission of privileged containers (Manual)",
                        "Add policies to each namespace to limit privileged containers.\n"),
                 manual("4.2.2", "Minimize the admission of containers wishing to share the host process ID namespace (Manual)",
                        "Add policies to each namespace to limit hostPID.\n"),
                 manual("4.2.3", "Minimize the admission of containers wishing to share the host IPC namespace (Manual)",
                        "Add policies to each namespace to limit hostIPC.\n"),
                 manual("4.2.4", "Minimize the admission of containers wishing to share the host network namespace (Manual)",
                        "Add policies to each namespace to limit hostNetwork.\n"),
                 manual("4.2.5", "Minimize the admission of containers with allowPrivilegeEscalation (Manual)",
                        "Add policies to each namespace to limit allowPrivilegeEscalation.\n"),
             ]},
            {"section": "4.4", "type": "", "pass": 0, "fail": 0, "warn": 2, "info": 0,
             "desc": "Azure Policy / OPA", "results": [
                 manual("4.4.1", "Ensure latest CNI version is used (Manual)",
                        "Review the AKS network plugin version.\n"),
                 manual("4.4.2", "Ensure that all Namespaces have Network Policies defined (Manual)",
                        "Follow the documentation and create NetworkPolicy objects as needed.\n"),
             ]},
        ],
        "total_pass": 0, "total_fail": 0, "total_warn": 13, "total_info": 0,
    }
    managed = {
        "id": "5", "version": "aks-1.7", "detected_version": "1.33", "text": "Managed Services",
        "node_type": "managedservices",
        "tests": [
            {"section": "5.1", "type": "", "pass": 0, "fail": 0, "warn": 2, "info": 0,
             "desc": "Image Registry and Image Scanning", "results": [
                 manual("5.1.1", "Ensure Image Vulnerability Scanning using Microsoft Defender for Cloud (MDC) image scanning or a third party provider (Manual)",
                        "Enable Defender for Containers image scanning.\n"),
                 manual("5.1.2", "Minimize user access to Azure Container Registry (ACR) (Manual)",
                        "Review role assignments on the registry.\n"),
             ]},
            {"section": "5.4", "type": "", "pass": 0, "fail": 0, "warn": 3, "info": 0,
             "desc": "Cluster Networking", "results": [
                 manual("5.4.1", "Restrict Access to the Control Plane Endpoint (Manual)",
                        "Use a private cluster or authorized IP ranges.\n"),
                 manual("5.4.2", "Ensure clusters are created with Private Endpoint Enabled and Public Access Disabled (Manual)",
                        "Create the cluster with --enable-private-cluster.\n"),
                 manual("5.4.3", "Ensure clusters are created with Private Nodes (Manual)",
                        "Do not assign public IPs to nodes.\n"),
             ]},
        ],
        "total_pass": 0, "total_fail": 0, "total_warn": 5, "total_info": 0,
    }
    return {"Controls": [node, policies, managed],
            "Totals": {"total_pass": 13, "total_fail": 0, "total_warn": 18, "total_info": 0}}


# --------------------------------------------------------------------------
# Kubescape (framework NSA, cluster scan) -f json
# --------------------------------------------------------------------------

# control id -> (name, severity, status, category, failed resources, excepted resources)
KS_CONTROLS = [
    ("C-0002", "Prevent containers from allowing command execution", "Medium", "passed", "Access control", [], []),
    ("C-0005", "API server insecure port is enabled", "High", "passed", "Control plane", [], []),
    ("C-0009", "Resource limits", "High", "passed", "Workload", [], []),
    ("C-0012", "Applications credentials in configuration files", "High", "passed", "Secrets", [], []),
    ("C-0013", "Non-root containers", "Medium", "failed", "Workload",
     ["apps/v1/falco-system/DaemonSet/falco"], []),
    ("C-0016", "Allow privilege escalation", "Medium", "passed", "Workload", [], []),
    ("C-0017", "Immutable container filesystem", "Low", "failed", "Workload",
     ["apps/v1/a0005-i/Deployment/ingress-nginx-controller", "apps/v1/a0005-o/Deployment/microservice-b"], []),
    ("C-0030", "Ingress and Egress blocked", "Medium", "passed", "Network", [], []),
    ("C-0034", "Automatic mapping of service account", "Medium", "failed", "Secrets",
     ["apps/v1/a0005-i/Deployment/ingress-nginx-controller", "apps/v1/falco-system/DaemonSet/falco"], []),
    ("C-0035", "Administrative Roles", "Medium", "passed", "Access control", [], []),
    ("C-0038", "Host PID/IPC privileges", "High", "passed", "Workload", [], []),
    ("C-0041", "HostNetwork access", "High", "passed", "Network", [], []),
    ("C-0044", "Container hostPort", "Medium", "passed", "Network", [], []),
    ("C-0046", "Insecure capabilities", "High", "passed", "Workload", [],
     ["apps/v1/falco-system/DaemonSet/falco"]),
    ("C-0054", "Cluster internal networking", "Medium", "passed", "Network", [], []),
    ("C-0055", "Linux hardening", "Medium", "passed", "Workload", [], []),
    ("C-0057", "Privileged container", "High", "passed", "Workload", [], []),
    ("C-0058", "CVE-2021-25741 - Using symlink for arbitrary host file system access.", "High", "passed",
     "Workload", [], []),
    ("C-0059", "CVE-2021-25742-nginx-ingress-snippet-annotation-vulnerability", "High", "passed",
     "Workload", [], []),
    ("C-0066", "Secret/etcd encryption enabled", "Medium", "passed", "Control plane", [], []),
    ("C-0067", "Audit logs enabled", "Medium", "passed", "Control plane", [], []),
    ("C-0069", "Disable anonymous access to Kubelet service", "Critical", "passed", "Control plane", [], []),
    ("C-0070", "Enforce Kubelet client TLS authentication", "Critical", "passed", "Control plane", [], []),
    ("C-0270", "Ensure CPU limits are set", "High", "passed", "Workload", [], []),
    ("C-0271", "Ensure memory limits are set", "High", "passed", "Workload", [], []),
]

WORKLOAD_IDS = [
    ("apps/v1/a0005-i/Deployment/ingress-nginx-controller", "Deployment", "a0005-i", "ingress-nginx-controller"),
    ("apps/v1/a0005-i/Deployment/web-frontend", "Deployment", "a0005-i", "web-frontend"),
    ("apps/v1/a0005-i/Deployment/microservice-a", "Deployment", "a0005-i", "microservice-a"),
    ("apps/v1/a0005-i/Deployment/microservice-c", "Deployment", "a0005-i", "microservice-c"),
    ("apps/v1/a0005-o/Deployment/microservice-b", "Deployment", "a0005-o", "microservice-b"),
    ("apps/v1/falco-system/DaemonSet/falco", "DaemonSet", "falco-system", "falco"),
]
WORKLOAD_CONTROLS = ["C-0009", "C-0013", "C-0016", "C-0017", "C-0030", "C-0034", "C-0038", "C-0041",
                     "C-0044", "C-0046", "C-0055", "C-0057", "C-0270", "C-0271"]
RULE_NAMES = {
    "C-0009": "resource-policies", "C-0013": "non-root-containers", "C-0016": "rule-allow-privilege-escalation",
    "C-0017": "immutable-container-filesystem", "C-0030": "ingress-and-egress-blocked",
    "C-0034": "automount-service-account", "C-0038": "host-pid-ipc-privileges",
    "C-0041": "host-network-access", "C-0044": "container-hostPort", "C-0046": "insecure-capabilities",
    "C-0055": "linux-hardening", "C-0057": "rule-privilege-escalation", "C-0270": "resources-cpu-limits",
    "C-0271": "resources-memory-limits",
}
CATEGORY_IDS = {"Access control": "Cat-2", "Secrets": "Cat-3", "Network": "Cat-4", "Workload": "Cat-5",
                "Control plane": "Cat-1"}
SCORE_FACTOR = {"Low": 1, "Medium": 4, "High": 7, "Critical": 10}


def kubescape():
    total = len(WORKLOAD_IDS)
    controls = {}
    for cid, name, severity, status, category, failed, excepted in KS_CONTROLS:
        applies = cid in WORKLOAD_CONTROLS
        n = total if applies else 1
        n_failed = len(failed)
        info = {"status": status}
        if excepted:
            info["subStatus"] = "w/exceptions"
            info["info"] = "Control passed with exceptions: 1 resource is covered by an exception"
        controls[cid] = {
            "statusInfo": info,
            "controlID": cid,
            "name": name,
            "status": status,
            "resourceIDs": {},
            "ResourceCounters": {"passedResources": n - n_failed, "failedResources": n_failed,
                                 "skippedResources": 0, "excludedResources": 0},
            "subStatusCounters": {"ignoredResources": len(excepted)},
            "score": round(100.0 * n_failed / n, 6) if n_failed else 0,
            "complianceScore": round(100.0 * (n - n_failed) / n, 6),
            "scoreFactor": SCORE_FACTOR[severity],
            "category": {"name": category, "id": CATEGORY_IDS[category]},
            "severity": severity,
        }
    failed_by_resource = {}
    for cid, _name, _sev, _st, _cat, failed, _exc in KS_CONTROLS:
        for r in failed:
            failed_by_resource.setdefault(r, set()).add(cid)
    results = []
    resources = []
    for resource_id, kind, ns, name in WORKLOAD_IDS:
        controls_out = []
        for cid in WORKLOAD_CONTROLS:
            entry = next(c for c in KS_CONTROLS if c[0] == cid)
            failed = cid in failed_by_resource.get(resource_id, set())
            excepted = resource_id in entry[6]
            status = {"status": "failed" if failed else "passed"}
            if excepted:
                status = {"status": "passed", "subStatus": "w/exceptions"}
            rule = {"name": RULE_NAMES[cid], "status": status["status"], "subStatus": status.get("subStatus", "")}
            if failed:
                rule["paths"] = [{"failedPath": failed_path(cid, kind)}]
            if excepted:
                rule["exception"] = [{"name": "falco-needs-bpf-capabilities",
                                      "policyType": "postureExceptionPolicy",
                                      "actions": ["alertOnly"]}]
            controls_out.append({"controlID": cid, "name": entry[1], "status": status, "rules": [rule],
                                 "severity": entry[2]})
        results.append({"resourceID": resource_id, "controls": controls_out})
        resources.append({"resourceID": resource_id, "object": {
            "apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": ns, "uid": guid(("ds:" if kind == "DaemonSet" else "deploy:")
                                                                    + f"{ns}/{name}")}}})
    n_failed_controls = sum(1 for c in KS_CONTROLS if c[3] == "failed")
    sev_counts = {"criticalSeverity": 0, "highSeverity": 0, "mediumSeverity": 0, "lowSeverity": 0}
    for c in KS_CONTROLS:
        if c[3] == "failed":
            sev_counts[c[2].lower() + "Severity"] += 1
    failed_resources = len(failed_by_resource)
    compliance = round(100.0 * (len(KS_CONTROLS) - n_failed_controls) / len(KS_CONTROLS), 6)
    framework = {"name": "NSA", "status": "failed", "version": "v1.0.0",
                 "controls": {k: {kk: vv for kk, vv in v.items() if kk != "severity"} for k, v in controls.items()},
                 "ResourceCounters": {"passedResources": total - failed_resources, "failedResources": failed_resources,
                                      "skippedResources": 0, "excludedResources": 0},
                 "score": round(100 - compliance, 6), "complianceScore": compliance}
    return {
        "generationTime": "2026-11-17T06:58:31.402917Z",
        "clusterAPIServerInfo": {"major": "1", "minor": "33", "gitVersion": "v1.33.5",
                                 "gitCommit": hexid("k8s-commit", 40), "gitTreeState": "clean",
                                 "buildDate": "2026-09-24T08:11:02Z", "goVersion": "go1.24.6",
                                 "compiler": "gc", "platform": "linux/amd64"},
        "clusterCloudProvider": "aks",
        "customerGUID": "",
        "clusterName": CLUSTER,
        "summaryDetails": {
            "controls": controls,
            "status": "failed",
            "frameworks": [framework],
            "resourcesSeverityCounters": {"criticalSeverity": 0, "highSeverity": 0,
                                          "mediumSeverity": 3, "lowSeverity": 2},
            "controlsSeverityCounters": sev_counts,
            "ResourceCounters": {"passedResources": total - failed_resources, "failedResources": failed_resources,
                                 "skippedResources": 0, "excludedResources": 0},
            "vulnerabilities": {"mapsSeverityToSummary": {}, "CVEs": [], "packageScores": {}, "images": None},
            "score": round(100 - compliance, 6),
            "complianceScore": compliance,
        },
        "resources": resources,
        "attributes": None,
        "results": results,
        "metadata": {
            "targetMetadata": {"clusterContextMetadata": {"cloudProvider": "aks", "context": CLUSTER,
                                                          "numberOfWorkerNodes": len(node_names())}},
            "clusterMetadata": {},
            "scanMetadata": {
                "targetType": "Framework",
                "kubescapeVersion": "v4.0.2",
                "formatVersion": "v2",
                "formats": ["json"],
                "targetNames": ["nsa"],
                "failThreshold": 100,
                "complianceThreshold": 0,
                "hostScanner": False,
                "excludedNamespaces": ["kube-system", "kube-public", "kube-node-lease", "gatekeeper-system"],
                "submit": False,
                "scanningTarget": 0,
            },
        },
    }


def failed_path(cid, kind):
    container = "spec.template.spec.containers[0]"
    return {
        "C-0013": container + ".securityContext.runAsNonRoot",
        "C-0017": container + ".securityContext.readOnlyRootFilesystem",
        "C-0034": "spec.template.spec.automountServiceAccountToken",
    }.get(cid, container)


# --------------------------------------------------------------------------
# Checkov SARIF on the cluster's Bicep
# --------------------------------------------------------------------------

def checkov_sarif():
    rules = [
        {"id": "CKV_AZURE_117", "name": "Ensure that AKS uses disk encryption set",
         "file": "infra/bicep/cluster-stamp.bicep", "resource": f"Microsoft.ContainerService/managedClusters.{CLUSTER}",
         "start": 212, "end": 361,
         "snippet": "resource cluster 'Microsoft.ContainerService/managedClusters@2025-07-01' = {\n  name: clusterName\n  location: location\n  // checkov:skip=CKV_AZURE_117:OS disks are ephemeral; encryption at host covers temp and cache disks (risk RA-2026-014)\n",
         "justification": "OS disks are ephemeral; encryption at host covers temp and cache disks (risk RA-2026-014)",
         "guide": "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/azure-policies/azure-kubernetes-policies/bc-azure-117"},
        {"id": "CKV_AZURE_164", "name": "Ensures that ACR uses signed/trusted images",
         "file": "infra/bicep/acr-stamp.bicep", "resource": f"Microsoft.ContainerRegistry/registries.{ACR_LOGIN.split('.')[0]}",
         "start": 18, "end": 71,
         "snippet": "resource acr 'Microsoft.ContainerRegistry/registries@2025-04-01' = {\n  name: acrName\n  location: location\n  // checkov:skip=CKV_AZURE_164:Images are pinned by digest and admitted from this registry only; Notation signing planned for Q1 2027\n",
         "justification": "Images are pinned by digest and admitted from this registry only; Notation signing planned for Q1 2027",
         "guide": "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/azure-policies/azure-general-policies/bc-azure-164"},
    ]
    return {
        "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "Checkov",
                "version": "3.2.497",
                "informationUri": "https://checkov.io",
                "rules": [{
                    "id": r["id"], "name": r["name"],
                    "shortDescription": {"text": r["name"]},
                    "fullDescription": {"text": r["name"]},
                    "help": {"text": f"{r['name']}\nResource: {r['resource']}"},
                    "defaultConfiguration": {"level": "error"},
                    "helpUri": r["guide"],
                } for r in rules],
                "organization": "bridgecrew",
            }},
            "results": [{
                "ruleId": r["id"],
                "ruleIndex": i,
                "level": "warning",
                "attachments": [],
                "message": {"text": r["name"]},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r["file"]},
                    "region": {"startLine": r["start"], "endLine": r["end"], "snippet": {"text": r["snippet"]}},
                }}],
                "suppressions": [{"kind": "inSource", "justification": r["justification"]}],
            } for i, r in enumerate(rules)],
        }],
    }


# --------------------------------------------------------------------------
# Falco alerts (json_output=true, one JSON object per line)
# --------------------------------------------------------------------------

def falco_lines():
    from k8s import pods  # noqa: E402  (pod names are generated there)
    pod_names = {}
    for p in pods():
        pod_names.setdefault(p["metadata"]["labels"].get("app.kubernetes.io/name"), []).append(
            (p["metadata"]["name"], p["spec"]["nodeName"], p["status"]["containerStatuses"][0]["containerID"]))
    b_pod, b_node, b_cid = pod_names["microservice-b"][1]
    i_pod, i_node, i_cid = pod_names["ingress-nginx"][0]
    b_cid = b_cid.split("//")[1][:12]
    i_cid = i_cid.split("//")[1][:12]
    b_image = f"{ACR_LOGIN}/{IMAGES['microservice-b'][0]}"
    i_image = f"{ACR_LOGIN}/{IMAGES['ingress-nginx-controller'][0]}"

    def event(time_ns, priority, rule, msg, fields, tags, host):
        out = {
            "hostname": host,
            "output": f"{time_ns[:-1]}+0000: {priority} {msg}",
            "output_fields": fields,
            "priority": priority,
            "rule": rule,
            "source": "syscall",
            "tags": tags,
            "time": time_ns,
        }
        return json.dumps(out, separators=(",", ":"))

    def k8s_fields(pod, ns, cid, name, image, tag):
        return {"container.id": cid, "container.image.repository": image, "container.image.tag": tag,
                "container.name": name, "k8s.ns.name": ns, "k8s.pod.name": pod}

    lines = []
    api_fields = dict(k8s_fields(i_pod, "a0005-i", i_cid, "controller", i_image,
                                 IMAGES["ingress-nginx-controller"][1]),
                      **{"connection.type": "ipv4", "evt.type": "connect", "fd.name": "10.240.4.20:41872->172.16.0.1:443",
                         "proc.cmdline": "nginx-ingress-c --publish-service=a0005-i/ingress-nginx-controller",
                         "proc.exepath": "/nginx-ingress-controller", "proc.name": "nginx-ingress-c",
                         "user.loginuid": -1, "user.name": "www-data", "user.uid": 101})
    lines.append(event("2026-11-10T02:39:04.118204551Z", "Notice", "Contact K8S API Server From Container",
                       "Unexpected connection to K8s API Server from container (connection=10.240.4.20:41872->172.16.0.1:443 "
                       "lport=41872 rport=443 fd_type=ipv4 fd_proto=tcp evt_type=connect user=www-data user_uid=101 "
                       "user_loginuid=-1 process=nginx-ingress-c proc_exepath=/nginx-ingress-controller "
                       f"parent=containerd-shim command=nginx-ingress-c terminal=0 container_id={i_cid} "
                       f"container_name=controller container_image_repository={i_image} "
                       f"k8s_ns=a0005-i k8s_pod_name={i_pod})",
                       api_fields, ["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"], i_node))
    shell_fields = dict(k8s_fields(b_pod, "a0005-o", b_cid, "microservice-b", b_image, IMAGES["microservice-b"][1]),
                        **{"evt.type": "execve", "proc.cmdline": "sh", "proc.exepath": "/bin/sh", "proc.name": "sh",
                           "proc.pname": "runc", "proc.tty": 34816, "user.loginuid": -1, "user.name": "app",
                           "user.uid": 10001})
    lines.append(event("2026-11-13T14:22:51.730915208Z", "Notice", "Terminal shell in container",
                       "A shell was spawned in a container with an attached terminal (evt_type=execve user=app "
                       "user_uid=10001 user_loginuid=-1 process=sh proc_exepath=/bin/sh parent=runc command=sh "
                       f"terminal=34816 exe_flags=EXE_WRITABLE|EXE_LOWER_LAYER container_id={b_cid} "
                       f"container_name=microservice-b container_image_repository={b_image} "
                       f"k8s_ns=a0005-o k8s_pod_name={b_pod})",
                       shell_fields, ["T1059", "container", "maturity_stable", "mitre_execution", "shell"], b_node))
    pkg_fields = dict(k8s_fields(b_pod, "a0005-o", b_cid, "microservice-b", b_image, IMAGES["microservice-b"][1]),
                      **{"evt.type": "execve", "proc.cmdline": "apt-get update", "proc.exepath": "/usr/bin/apt-get",
                         "proc.name": "apt-get", "proc.pname": "sh", "proc.tty": 34816, "user.loginuid": -1,
                         "user.name": "app", "user.uid": 10001})
    lines.append(event("2026-11-13T14:23:37.004518873Z", "Error", "Launch Package Management Process in Container",
                       "Package management process launched in container (evt_type=execve user=app user_uid=10001 "
                       "user_loginuid=-1 process=apt-get proc_exepath=/usr/bin/apt-get parent=sh "
                       f"command=apt-get update terminal=34816 container_id={b_cid} container_name=microservice-b "
                       f"container_image_repository={b_image} k8s_ns=a0005-o k8s_pod_name={b_pod})",
                       pkg_fields, ["T1505", "container", "maturity_incubating", "mitre_persistence", "process",
                                    "software_mgmt"], b_node))
    lines.append(event("2026-11-15T03:05:12.441390027Z", "Notice", "Contact K8S API Server From Container",
                       "Unexpected connection to K8s API Server from container (connection=10.240.4.20:50114->172.16.0.1:443 "
                       "lport=50114 rport=443 fd_type=ipv4 fd_proto=tcp evt_type=connect user=www-data user_uid=101 "
                       "user_loginuid=-1 process=nginx-ingress-c proc_exepath=/nginx-ingress-controller "
                       f"parent=containerd-shim command=nginx-ingress-c terminal=0 container_id={i_cid} "
                       f"container_name=controller container_image_repository={i_image} "
                       f"k8s_ns=a0005-i k8s_pod_name={i_pod})",
                       dict(api_fields, **{"fd.name": "10.240.4.20:50114->172.16.0.1:443"}),
                       ["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"], i_node))
    return "\n".join(lines) + "\n"


def write_all():
    for i, key in enumerate(TRIVY_IMAGES):
        write_json(f"scans/trivy-{key}.json", trivy_report(key, 40 + i), indent=2)
    write_json("scans/kube-bench-npinscope01.json", kube_bench(), indent=2)
    write_json("scans/kubescape-nsa.json", kubescape(), indent=None)
    write_json("scans/checkov-bicep.sarif", checkov_sarif(), indent=2)
    write_text("scans/falco-alerts.jsonl", falco_lines())

