//! Manifest checks: every workload kind, every container (init containers included). Each issue carries its fix as
//! edits ([`Op`]) on the object, so the fragment, `fix()` and the re-audit agree.

use std::collections::BTreeMap;

use logsieve_engine::{Queries, Severity};

use crate::issue::{kubectl_ref, ns_flag, Issue, Target};
use crate::load::{Loaded, Obj};
use crate::node::{k, path_string, Node, Seg, Val};
use crate::ops::{join, set, Extra, Op};
use crate::quantity::{cpu_millis, fmt_cpu, fmt_mem, mem_bytes, tidy_cpu, tidy_mem};

/// Kinds that carry a pod template, and where its pod spec sits.
pub fn pod_spec_path(kind: &str) -> Option<Vec<Seg>> {
    let keys: &[&str] = match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        _ => return None,
    };
    Some(keys.iter().map(|s| k(s)).collect())
}

pub const NON_ROOT_UID: i64 = 10001;

/// Capabilities that give a container a way out or control of the node.
const DANGEROUS_CAPS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "DAC_READ_SEARCH",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

struct Ctx<'a> {
    idx: usize,
    obj: &'a Obj,
    spec_path: Vec<Seg>,
    spec: &'a Node,
    /// Labels and annotations of the object and of its pod template (kubeaudit override labels live there).
    marks: Vec<(String, String)>,
    long_running: bool,
    ns: Option<String>,
    kref: String,
}

struct Ctr<'a> {
    node: &'a Node,
    name: String,
    path: Vec<Seg>,
    init: bool,
}

impl Ctx<'_> {
    fn target(&self, container: Option<&str>, path: &[Seg]) -> Target {
        Target {
            kind: self.obj.kind.clone(),
            namespace: self.ns.clone(),
            name: self.obj.name.clone(),
            container: container.map(str::to_string),
            yaml_path: path_string(path),
        }
    }

    fn issue(
        &self,
        kind: &'static str,
        severity: Severity,
        container: Option<&str>,
        path: &[Seg],
        line: u64,
    ) -> Issue {
        let mut issue = Issue::new(kind, severity, self.target(container, path));
        issue.obj = Some(self.idx);
        issue
            .lines
            .push(if line > 0 { line } else { self.obj.line });
        issue
            .commands
            .push(format!("kubectl get {} -o yaml", self.kref));
        issue
    }

    /// A kubeaudit override label (`container.kubeaudit.io/<c>.allow-x` or `kubeaudit.io/allow-x`).
    fn allowed(&self, container: Option<&str>, name: &str) -> Option<(String, String)> {
        let mut wanted = vec![format!("kubeaudit.io/{name}")];
        if let Some(c) = container {
            wanted.insert(0, format!("container.kubeaudit.io/{c}.{name}"));
        }
        for w in &wanted {
            if let Some((key, reason)) = self.marks.iter().find(|(key, _)| key == w) {
                return Some((key.clone(), reason.clone()));
            }
        }
        None
    }

    fn what(&self) -> String {
        self.obj.label()
    }
}

/// Downgrade an issue that a kubeaudit override label allows: it stays visible at `low`, without a fix.
fn apply_override(issue: &mut Issue, allowed: Option<(String, String)>) {
    if let Some((label, reason)) = allowed {
        issue.severity = Severity::Low;
        issue.ops.clear();
        issue.extras.clear();
        issue.summary = format!(
            "Allowed by the override label `{label}` (reason given: \"{reason}\"), so reported at low. {}",
            issue.summary
        );
        issue.hotfix.insert(0, format!("Re-check that the reason on `{label}` still holds; remove the label to get the fix."));
    }
}

fn sc_get<'a>(ctr: &'a Node, key: &str) -> Option<&'a Node> {
    ctr.get("securityContext").and_then(|sc| sc.get(key))
}

fn pod_sc_get<'a>(spec: &'a Node, key: &str) -> Option<&'a Node> {
    spec.get("securityContext").and_then(|sc| sc.get(key))
}

fn cap_name(s: &str) -> String {
    let up = s.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// Repository part and tag of an image reference; `None` tag when absent. Digests count as pinned.
pub fn image_tag(image: &str) -> (String, Option<String>, bool) {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[last_slash..].rfind(':') {
        Some(c) => (
            name[..last_slash + c].to_string(),
            Some(name[last_slash + c + 1..].to_string()),
            digest,
        ),
        None => (name.to_string(), None, digest),
    }
}

fn image_base(image: &str) -> String {
    let (repo, _, _) = image_tag(image);
    repo.rsplit('/').next().unwrap_or("").to_ascii_lowercase()
}

/// A TCP port to probe: the first declared container port, or the well-known port of the image.
fn probe_port(ctr: &Node) -> Option<i64> {
    if let Some(ports) = ctr.get("ports").and_then(Node::as_seq) {
        for p in ports {
            let proto = p.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            if proto.eq_ignore_ascii_case("TCP") {
                if let Some(n) = p.get("containerPort").and_then(Node::as_i64) {
                    return Some(n);
                }
            }
        }
    }
    let image = ctr.get("image").and_then(Node::as_str).unwrap_or("");
    let base = image_base(image);
    let port = match base.as_str() {
        "nginx-unprivileged" => 8080,
        "nginx" | "httpd" | "apache" | "caddy" | "haproxy" | "traefik" | "openresty" => 80,
        "redis" | "valkey" => 6379,
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" | "percona" => 3306,
        "mongo" | "mongodb" => 27017,
        "memcached" => 11211,
        "rabbitmq" => 5672,
        "elasticsearch" | "opensearch" => 9200,
        "tomcat" | "jenkins" => 8080,
        "grafana" => 3000,
        "prometheus" => 9090,
        "zookeeper" => 2181,
        "kafka" => 9092,
        _ => return None,
    };
    Some(port)
}

fn tcp_probe(port: i64, initial: i64, period: i64, timeout: i64) -> Node {
    Node::map(vec![
        ("tcpSocket", Node::map(vec![("port", Node::int(port))])),
        ("initialDelaySeconds", Node::int(initial)),
        ("periodSeconds", Node::int(period)),
        ("timeoutSeconds", Node::int(timeout)),
        ("failureThreshold", Node::int(3)),
    ])
}

/// Values the fix gives a container's resources (existing ones kept), in millicores and bytes.
#[derive(Debug, Clone, Copy)]
pub struct Res {
    pub req_cpu: u64,
    pub req_mem: u64,
    pub lim_cpu: u64,
    pub lim_mem: u64,
}

pub fn resolved_resources(ctr: &Node) -> (Res, Vec<&'static str>) {
    let get = |a: &str, b: &str| {
        ctr.get("resources")
            .and_then(|r| r.get(a))
            .and_then(|r| r.get(b))
            .and_then(Node::as_text)
    };
    let rc = get("requests", "cpu").and_then(|q| cpu_millis(&q));
    let rm = get("requests", "memory").and_then(|q| mem_bytes(&q));
    let lc = get("limits", "cpu").and_then(|q| cpu_millis(&q));
    let lm = get("limits", "memory").and_then(|q| mem_bytes(&q));
    let mut missing = Vec::new();
    if rc.is_none() {
        missing.push("requests.cpu");
    }
    if rm.is_none() {
        missing.push("requests.memory");
    }
    if lc.is_none() {
        missing.push("limits.cpu");
    }
    if lm.is_none() {
        missing.push("limits.memory");
    }
    const MI: u64 = 1 << 20;
    // Kubernetes itself defaults a missing request to the limit, so that choice changes nothing at run time.
    let req_cpu = rc.or(lc).unwrap_or(100);
    let req_mem = rm.or(lm).unwrap_or(128 * MI);
    let lim_cpu = lc.unwrap_or_else(|| tidy_cpu((req_cpu * 2).max(500)));
    let lim_mem = lm.unwrap_or_else(|| tidy_mem((req_mem * 2).max(256 * MI)));
    (
        Res {
            req_cpu,
            req_mem,
            lim_cpu,
            lim_mem,
        },
        missing,
    )
}

fn secret_like_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    const BENIGN_SUFFIX: &[&str] = &[
        "_file",
        "_path",
        "_dir",
        "_enabled",
        "_ttl",
        "_timeout",
        "_expiry",
        "_expires",
        "_header",
        "_name",
        "_url",
        "_endpoint",
        "_length",
        "_size",
        "_type",
        "_mode",
        "_ref",
        "_id",
    ];
    if BENIGN_SUFFIX.iter().any(|s| n.ends_with(s)) {
        return false;
    }
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "accesskey",
        "private_key",
        "privatekey",
        "credential",
        "client_secret",
        "auth_key",
        "signing_key",
        "encryption_key",
        "dsn",
        "conn_str",
        "connection_string",
    ];
    WORDS.iter().any(|w| n.contains(w))
}

/// Values that are secrets whatever the variable is called.
fn secret_like_value(v: &str) -> bool {
    let v = v.trim();
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return true;
    }
    let prefixed = [
        "ghp_",
        "gho_",
        "ghs_",
        "github_pat_",
        "xoxb-",
        "xoxp-",
        "xapp-",
        "sk_live_",
        "glpat-",
        "AIza",
    ];
    if prefixed.iter().any(|p| v.starts_with(p)) && v.len() >= 20 {
        return true;
    }
    if v.len() == 20
        && (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return true;
    }
    if v.starts_with("eyJ") && v.matches('.').count() == 2 && v.len() > 30 {
        return true;
    }
    // scheme://user:password@host
    if let Some(rest) = v.split_once("://").map(|(_, r)| r) {
        if let Some((cred, _)) = rest.split_once('@') {
            if let Some((_, pw)) = cred.split_once(':') {
                return !pw.is_empty() && !pw.starts_with("$(") && !pw.starts_with("${");
            }
        }
    }
    false
}

fn literal_secret(name: &str, value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with("$(") || v.starts_with("${") || v.starts_with('/') {
        return false;
    }
    if matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "none" | "null" | "enabled" | "disabled"
    ) {
        return false;
    }
    secret_like_value(v) || secret_like_name(name)
}

fn dns_label(s: &str) -> String {
    let mut out: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    out.truncate(63);
    out.trim_matches('-').to_string()
}

fn is_sensitive_host_path(p: &str) -> bool {
    let p = p.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    const EXACT: &[&str] = &[
        "/",
        "/etc",
        "/root",
        "/home",
        "/boot",
        "/dev",
        "/lib",
        "/lib64",
        "/usr",
        "/bin",
        "/sbin",
        "/var",
        "/var/run",
        "/run",
        "/var/lib",
        "/var/lib/kubelet",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/etc/kubernetes",
        "/var/lib/etcd",
        "/sys",
        "/proc",
    ];
    EXACT.contains(&p)
        || p.starts_with("/proc/")
        || p.starts_with("/sys/")
        || p.starts_with("/dev/")
        || p.starts_with("/etc/kubernetes/")
        || p.starts_with("/var/lib/kubelet/")
        || p.starts_with("/root/")
}

fn is_runtime_socket(p: &str) -> bool {
    p.ends_with("docker.sock")
        || p.ends_with("containerd.sock")
        || p.ends_with("crio.sock")
        || p.ends_with("cri-dockerd.sock")
        || p.ends_with("podman.sock")
}

pub fn check(loaded: &Loaded) -> Vec<Issue> {
    let mut issues = Vec::new();
    // Namespaces (None: the kubectl context's namespace) with workloads, LimitRanges and ResourceQuotas.
    let mut ns_workloads: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    let mut ns_limitrange: BTreeMap<Option<String>, &Obj> = BTreeMap::new();
    let mut ns_quota: BTreeMap<Option<String>, &Obj> = BTreeMap::new();
    let mut ns_netpol: BTreeMap<Option<String>, &Obj> = BTreeMap::new();
    for obj in &loaded.objs {
        let map = match obj.kind.as_str() {
            "LimitRange" => &mut ns_limitrange,
            "ResourceQuota" => &mut ns_quota,
            "NetworkPolicy" => &mut ns_netpol,
            _ => continue,
        };
        map.entry(obj.namespace.clone()).or_insert(obj);
    }
    for (idx, obj) in loaded.objs.iter().enumerate() {
        let Some(spec_path) = pod_spec_path(&obj.kind) else {
            continue;
        };
        // Live objects owned by a controller: their owner's manifest is the place to fix.
        let owned = obj
            .node
            .get_path(&["metadata", "ownerReferences"])
            .and_then(Node::as_seq)
            .map(|o| !o.is_empty())
            .unwrap_or(false);
        if owned {
            continue;
        }
        let Some(spec) = obj.node.at(&spec_path) else {
            continue;
        };
        ns_workloads
            .entry(obj.namespace.clone())
            .or_default()
            .push(idx);
        let mut marks = Vec::new();
        let mut meta_paths = vec![vec![k("metadata")]];
        if obj.kind != "Pod" {
            let mut tm = spec_path[..spec_path.len() - 1].to_vec();
            tm.push(k("metadata"));
            meta_paths.push(tm);
        }
        for mp in meta_paths {
            for field in ["labels", "annotations"] {
                let mut p = mp.clone();
                p.push(k(field));
                if let Some(entries) = obj.node.at(&p).and_then(Node::as_map) {
                    for (key, v) in entries {
                        marks.push((key.clone(), v.as_text().unwrap_or_default()));
                    }
                }
            }
        }
        let restart = spec
            .get("restartPolicy")
            .and_then(Node::as_str)
            .unwrap_or("Always");
        let long_running = !matches!(obj.kind.as_str(), "Job" | "CronJob") && restart == "Always";
        let ctx = Ctx {
            idx,
            obj,
            spec_path: spec_path.clone(),
            spec,
            marks,
            long_running,
            ns: obj.namespace.clone(),
            kref: kubectl_ref(&obj.kind, &obj.name, obj.namespace.as_deref()),
        };
        check_pod(&ctx, &ns_limitrange, &mut issues);
    }
    // A namespace with workloads but no LimitRange / ResourceQuota in the input.
    for (ns, objs) in &ns_workloads {
        let has_lr = ns_limitrange.contains_key(ns);
        let has_rq = ns_quota.contains_key(ns);
        if has_lr && has_rq {
            continue;
        }
        issues.push(no_limitrange_quota(
            loaded,
            ns.as_deref(),
            objs,
            has_lr,
            has_rq,
        ));
    }
    // No NetworkPolicy: reported at low (the input may not hold the cluster's policies), never applied by fix().
    for (ns, objs) in &ns_workloads {
        if !ns_netpol.contains_key(ns) {
            issues.push(no_network_policy(loaded, ns.as_deref(), objs));
        }
    }
    issues
}

fn no_network_policy(loaded: &Loaded, ns: Option<&str>, objs: &[usize]) -> Issue {
    let ns_name = ns.unwrap_or("default");
    let shown = ns
        .map(str::to_string)
        .unwrap_or_else(|| "(the kubectl context's namespace)".into());
    let target = Target {
        kind: "Namespace".into(),
        namespace: ns.map(str::to_string),
        name: ns_name.to_string(),
        container: None,
        yaml_path: String::new(),
    };
    let mut is = Issue::new("k8s_no_network_policy", Severity::Low, target);
    for &i in objs {
        is.lines.push(loaded.objs[i].line);
    }
    is.title = format!("Namespace {shown} has workloads but no NetworkPolicy");
    is.summary = format!(
        "No NetworkPolicy for namespace {shown} is in the input, so (unless the cluster has one) every pod in it accepts \
         connections from every pod in the cluster and can reach anything: one compromised pod can probe databases and \
         admin endpoints across namespaces. Reported at low because policies may live outside this input."
    );
    is.hotfix = vec![
        "Start with the fragment: it allows traffic from the same namespace and from the ingress controller's namespace, and denies other ingress. Check your ingress controller's namespace label before applying.".into(),
    ];
    is.long_term = vec![
        "Default-deny ingress and egress per namespace, then allow each flow explicitly; test with a CNI that enforces policies (Calico, Cilium).".into(),
    ];
    is.commands = vec![
        format!("kubectl get networkpolicy -n {ns_name}"),
        format!("kubectl describe networkpolicy -n {ns_name}"),
    ];
    let mut meta = Node::map(vec![(
        "name",
        Node::str("default-deny-ingress-except-namespace"),
    )]);
    if let Some(ns) = ns {
        meta.set("namespace", Node::str(ns));
    }
    let from = Node::seq(vec![
        Node::map(vec![("podSelector", Node::empty_map())]),
        Node::map(vec![(
            "namespaceSelector",
            Node::map(vec![(
                "matchLabels",
                Node::map(vec![(
                    "kubernetes.io/metadata.name",
                    Node::str("ingress-nginx"),
                )]),
            )]),
        )]),
    ]);
    let np = Node::map(vec![
        ("apiVersion", Node::str("networking.k8s.io/v1")),
        ("kind", Node::str("NetworkPolicy")),
        ("metadata", meta),
        (
            "spec",
            Node::map(vec![
                ("podSelector", Node::empty_map()),
                ("policyTypes", Node::seq(vec![Node::str("Ingress")])),
                ("ingress", Node::seq(vec![Node::map(vec![("from", from)])])),
            ]),
        ),
    ]);
    is.fix_text = Some(format!(
        "# kubectl apply -f fix.yaml (review first: k8s-fix does not apply it, a policy can cut traffic)\n---\n{}",
        np.to_yaml()
    ));
    is
}

fn containers<'a>(ctx: &Ctx<'a>) -> Vec<Ctr<'a>> {
    let mut out = Vec::new();
    for (list, init) in [("containers", false), ("initContainers", true)] {
        if let Some(items) = ctx.spec.get(list).and_then(Node::as_seq) {
            for (i, c) in items.iter().enumerate() {
                let mut path = ctx.spec_path.clone();
                path.push(k(list));
                path.push(Seg::Index(i));
                out.push(Ctr {
                    node: c,
                    name: c
                        .get("name")
                        .and_then(Node::as_text)
                        .unwrap_or_else(|| format!("#{i}")),
                    path,
                    init,
                });
            }
        }
    }
    out
}

fn patch_hint(ctx: &Ctx) -> String {
    if ctx.obj.kind == "Pod" {
        "Pod specs are immutable: put the fix in the manifest and recreate the pod (`kubectl replace --force -f pod.yaml`), or better run it from a Deployment.".to_string()
    } else {
        format!("Apply the fragment: `kubectl patch {} --type strategic --patch-file fix.yaml`, then commit the same change to the manifest or Helm values.", ctx.kref)
    }
}

fn check_pod(ctx: &Ctx, limitranges: &BTreeMap<Option<String>, &Obj>, issues: &mut Vec<Issue>) {
    let ctrs = containers(ctx);
    let what = ctx.what();
    let pod_sc_path = join(&ctx.spec_path, &["securityContext"]);

    // Host namespaces (pod level).
    let mut host_ns = Vec::new();
    for (field, label) in [
        ("hostNetwork", "network"),
        ("hostPID", "PID"),
        ("hostIPC", "IPC"),
    ] {
        if ctx.spec.get(field).and_then(Node::as_bool) == Some(true) {
            host_ns.push((field, label));
        }
    }
    if !host_ns.is_empty() {
        let mut allowed_all = true;
        let mut ops = Vec::new();
        let mut allow_note = None;
        for (field, _) in &host_ns {
            let override_name = format!(
                "allow-namespace-host-{}",
                field.trim_start_matches("host").to_ascii_lowercase()
            );
            match ctx.allowed(None, &override_name) {
                Some(a) => allow_note = Some(a),
                None => {
                    allowed_all = false;
                    ops.push(set(join(&ctx.spec_path, &[field]), Node::bool(false)));
                }
            }
        }
        let first = ctx.spec.get(host_ns[0].0).map(|n| n.line).unwrap_or(0);
        let path = join(&ctx.spec_path, &[host_ns[0].0]);
        let names: Vec<&str> = host_ns.iter().map(|(_, l)| *l).collect();
        let mut is = ctx.issue("k8s_host_namespace", Severity::High, None, &path, first);
        is.title = format!("{what} shares the host's {} namespace", names.join(", "));
        is.summary = format!(
            "{} is set, so every container of the pod sees the node's {}: with hostNetwork it can bind node ports and reach \
             services listening on the node's localhost (kubelet, metadata endpoints) and sniff traffic; with hostPID it \
             sees and can signal every process on the node and read their environments; with hostIPC it shares the node's \
             shared memory. One compromised container becomes a compromised node.",
            host_ns.iter().map(|(f, _)| format!("`{f}: true`")).collect::<Vec<_>>().join(", "),
            names.join(" and ")
        );
        is.hotfix = vec![
            format!("Set {} to false (the fragment) unless this is a node agent (CNI, kube-proxy, node exporter) that truly needs it.", host_ns.iter().map(|(f, _)| *f).collect::<Vec<_>>().join("/")),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Enforce Pod Security Admission `baseline` (or `restricted`) on application namespaces: `kubectl label ns <ns> pod-security.kubernetes.io/enforce=baseline`.".into(),
            "Keep node agents that need host namespaces in their own namespace with a documented exception.".into(),
        ];
        is.commands.push(
            "kubectl get pods -A -o jsonpath='{range .items[?(@.spec.hostNetwork==true)]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}'".into(),
        );
        is.ops = ops;
        if allowed_all {
            apply_override(&mut is, allow_note);
        }
        issues.push(is);
    }

    // Service account token automount.
    let sa = ctx
        .spec
        .get("serviceAccountName")
        .or_else(|| ctx.spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .unwrap_or("default");
    let automount = ctx
        .spec
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool);
    if automount != Some(false) && (sa.is_empty() || sa == "default") {
        let path = join(&ctx.spec_path, &["automountServiceAccountToken"]);
        let line = ctx
            .spec
            .get("automountServiceAccountToken")
            .map(|n| n.line)
            .unwrap_or(ctx.spec.line);
        let mut is = ctx.issue(
            "k8s_service_account_token",
            Severity::Low,
            None,
            &path,
            line,
        );
        is.title = format!("{what} mounts a service account token it does not appear to use");
        is.summary = "The pod runs as the namespace's `default` service account and the API token is mounted into every \
                      container (automountServiceAccountToken is not false). The workload shows no sign of calling the \
                      Kubernetes API, so the token only helps an attacker who gets code execution: it is a credential \
                      for the API server, and whatever RBAC grants `default` in this namespace comes with it."
            .into();
        is.hotfix = vec![
            "Set `automountServiceAccountToken: false` in the pod spec (the fragment).".into(),
            "If the app does call the API, give it its own ServiceAccount with a least-privilege Role instead.".into(),
        ];
        is.long_term = vec![
            "Set `automountServiceAccountToken: false` on the `default` ServiceAccount of every namespace.".into(),
            "Use projected, short-lived tokens with an audience where API access is needed.".into(),
        ];
        is.commands.push(format!(
            "kubectl auth can-i --list --as=system:serviceaccount:{}:default",
            ctx.ns.as_deref().unwrap_or("default")
        ));
        is.ops.push(set(path, Node::bool(false)));
        apply_override(
            &mut is,
            ctx.allowed(None, "allow-automount-service-account-token"),
        );
        issues.push(is);
    }

    // Single replica.
    if matches!(
        ctx.obj.kind.as_str(),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    ) {
        let replicas = ctx.obj.node.get_path(&["spec", "replicas"]);
        let n = replicas.and_then(Node::as_i64).unwrap_or(1);
        if n == 1 {
            let path = vec![k("spec"), k("replicas")];
            let line = replicas.map(|r| r.line).unwrap_or(ctx.obj.line);
            let mut is = ctx.issue("k8s_single_replica", Severity::Low, None, &path, line);
            is.title = format!("{what} runs a single replica");
            is.summary = format!(
                "With {} replica every node drain, eviction, OOM kill or rollout takes the service down until a new pod is \
                 scheduled and ready. A PodDisruptionBudget cannot help a single replica.",
                if replicas.is_some() { "one" } else { "no `replicas` field (default 1), one" }
            );
            if ctx.obj.kind == "StatefulSet" {
                is.hotfix = vec!["A StatefulSet's replicas usually mean cluster members (databases, brokers): scale it only if the software supports it.".into()];
            } else {
                is.hotfix = vec![
                    "Run at least 2 replicas (the fragment), with a PodDisruptionBudget `minAvailable: 1`.".into(),
                    format!("`kubectl scale {} --replicas=2`", ctx.kref),
                ];
                is.ops.push(set(path, Node::int(2)));
            }
            is.long_term = vec![
                "Spread replicas over nodes and zones (topologySpreadConstraints or podAntiAffinity).".into(),
                "If a HorizontalPodAutoscaler manages the replica count, set its minReplicas to 2 and drop `replicas` from the manifest.".into(),
            ];
            issues.push(is);
        }
    }

    // Replicas that may all land on one node.
    if matches!(
        ctx.obj.kind.as_str(),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    ) {
        let n = ctx
            .obj
            .node
            .get_path(&["spec", "replicas"])
            .and_then(Node::as_i64)
            .unwrap_or(1);
        // Deployments and ReplicaSets at one replica get a second from the fix, so they count as replicated.
        let replicated = n >= 2 || (n == 1 && ctx.obj.kind != "StatefulSet");
        let spread = ctx
            .spec
            .get("topologySpreadConstraints")
            .map(|t| !t.is_null())
            .unwrap_or(false)
            || ctx
                .spec
                .get_path(&["affinity", "podAntiAffinity"])
                .is_some();
        let labels = ctx
            .obj
            .node
            .get_path(&["spec", "selector", "matchLabels"])
            .and_then(Node::as_map)
            .cloned();
        if replicated && !spread {
            let path = join(&ctx.spec_path, &["topologySpreadConstraints"]);
            let mut is = ctx.issue(
                "k8s_no_anti_affinity",
                Severity::Low,
                None,
                &path,
                ctx.spec.line,
            );
            is.title = format!("{what} does not spread its replicas across nodes");
            is.summary = "Neither podAntiAffinity nor topologySpreadConstraints is set, so the scheduler may put every \
                          replica on the same node: one node failure, drain or eviction wave takes them all."
                .into();
            is.hotfix = vec![
                "Add a topologySpreadConstraint on kubernetes.io/hostname with whenUnsatisfiable: ScheduleAnyway (the fragment); use topology.kubernetes.io/zone across zones.".into(),
            ];
            is.long_term =
                vec!["Pair it with a PodDisruptionBudget so drains keep a quorum.".into()];
            is.commands.push(format!(
                "kubectl get pods{} -o wide",
                ns_flag(ctx.ns.as_deref())
            ));
            if let Some(labels) = labels {
                is.ops.push(set(
                    path,
                    Node::seq(vec![Node::map(vec![
                        ("maxSkew", Node::int(1)),
                        ("topologyKey", Node::str("kubernetes.io/hostname")),
                        ("whenUnsatisfiable", Node::str("ScheduleAnyway")),
                        (
                            "labelSelector",
                            Node::map(vec![("matchLabels", Node::new(Val::Map(labels)))]),
                        ),
                    ])]),
                ));
            }
            issues.push(is);
        }
    }

    // Seccomp (pod level), and the deprecated annotations.
    let pod_seccomp = pod_sc_get(ctx.spec, "seccompProfile")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str);
    let annotation = ctx
        .marks
        .iter()
        .find(|(key, _)| key == "seccomp.security.alpha.kubernetes.io/pod")
        .map(|(_, v)| v.clone());
    let all_containers_set = !ctrs.is_empty()
        && ctrs.iter().all(|c| {
            sc_get(c.node, "seccompProfile")
                .and_then(|s| s.get("type"))
                .and_then(Node::as_str)
                .is_some()
        });
    if pod_seccomp.is_none() && !all_containers_set {
        let path = join(&pod_sc_path, &["seccompProfile"]);
        let mut is = ctx.issue("k8s_seccomp", Severity::Low, None, &path, ctx.spec.line);
        is.title = format!("{what} sets no seccomp profile");
        is.summary = match &annotation {
            Some(v) => format!(
                "Seccomp is only requested through the annotation `seccomp.security.alpha.kubernetes.io/pod: {v}`, which \
                 Kubernetes 1.27 and later ignore. Without `securityContext.seccompProfile` the containers run \
                 Unconfined on most runtimes, with every syscall (keyctl, unshare, bpf, …) open to an attacker."
            ),
            None => "No `securityContext.seccompProfile` is set, so the containers run Unconfined on most runtimes: \
                     every syscall (keyctl, unshare, bpf, …) stays open to an attacker who gets code execution. \
                     `RuntimeDefault` blocks the rarely needed, often exploited ones and breaks almost nothing."
                .into(),
        };
        is.hotfix = vec![
            "Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec (the fragment).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec!["Enforce Pod Security Admission `restricted`, which requires RuntimeDefault or Localhost profiles.".into()];
        is.ops.push(set(
            path,
            Node::map(vec![("type", Node::str("RuntimeDefault"))]),
        ));
        issues.push(is);
    } else if pod_seccomp == Some("Unconfined") {
        let path = join(&pod_sc_path, &["seccompProfile", "type"]);
        let line = pod_sc_get(ctx.spec, "seccompProfile")
            .map(|n| n.line)
            .unwrap_or(0);
        let mut is = ctx.issue("k8s_seccomp", Severity::Medium, None, &path, line);
        is.title = format!("{what} disables seccomp (Unconfined)");
        is.summary =
            "`seccompProfile.type: Unconfined` switches syscall filtering off for the whole pod."
                .into();
        is.hotfix = vec![
            "Use `RuntimeDefault` (the fragment).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Where a syscall is really needed, write a Localhost profile that allows just it."
                .into(),
        ];
        is.ops.push(set(path, Node::str("RuntimeDefault")));
        issues.push(is);
    }

    // Host paths: per volume, per container that mounts it.
    let volumes = ctx
        .spec
        .get("volumes")
        .and_then(Node::as_seq)
        .cloned()
        .unwrap_or_default();
    let mut used_volume_names: Vec<String> = volumes
        .iter()
        .filter_map(|v| v.get("name").and_then(Node::as_text))
        .collect();
    for (vi, vol) in volumes.iter().enumerate() {
        let Some(hp) = vol.get("hostPath") else {
            continue;
        };
        let hpath = hp.get("path").and_then(Node::as_text).unwrap_or_default();
        let vname = vol.get("name").and_then(Node::as_text).unwrap_or_default();
        let socket = is_runtime_socket(&hpath);
        let sensitive = socket || is_sensitive_host_path(&hpath);
        let vol_path = {
            let mut p = join(&ctx.spec_path, &["volumes"]);
            p.push(Seg::Index(vi));
            p
        };
        // Containers mounting the volume, and whether each is allowed by an override.
        let mut mounts = Vec::new();
        for c in &ctrs {
            if let Some(vms) = c.node.get("volumeMounts").and_then(Node::as_seq) {
                for (mi, vm) in vms.iter().enumerate() {
                    if vm.get("name").and_then(Node::as_text).as_deref() == Some(vname.as_str()) {
                        let allowed =
                            ctx.allowed(Some(&c.name), &format!("allow-host-path-mount-{vname}"));
                        mounts.push((c, mi, vm, allowed));
                    }
                }
            }
        }
        let remaining_allowed = mounts.iter().any(|m| m.3.is_some());
        let replacement = dns_label(&format!("{vname}-emptydir"));
        let mut replacement_added = false;
        for (c, mi, vm, allowed) in &mounts {
            let read_only = vm.get("readOnly").and_then(Node::as_bool) == Some(true);
            let severity = if socket {
                Severity::Critical
            } else if sensitive {
                Severity::High
            } else if read_only {
                Severity::Low
            } else {
                Severity::Medium
            };
            let mut mpath = c.path.clone();
            mpath.push(k("volumeMounts"));
            mpath.push(Seg::Index(*mi));
            let mut is = ctx.issue("k8s_host_path", severity, Some(&c.name), &vol_path, hp.line);
            is.lines.push(vm.line);
            let mount_at = vm
                .get("mountPath")
                .and_then(Node::as_text)
                .unwrap_or_default();
            is.title = if socket {
                format!("Container {} of {what} mounts the container runtime socket ({hpath}) from the host", c.name)
            } else if hpath.trim_end_matches('/') == "/proc" || hpath.starts_with("/proc/") {
                format!("Container {} of {what} mounts the host's {hpath}", c.name)
            } else {
                format!("Container {} of {what} mounts host path {hpath}", c.name)
            };
            is.summary = if socket {
                format!(
                    "Volume `{vname}` bind-mounts `{hpath}` at `{mount_at}`. Whoever can talk to the runtime socket can \
                     start a privileged container with the host's / mounted: this is root on the node, whatever the pod's \
                     own securityContext says (a read-only mount does not help: connecting to a socket is not a write)."
                )
            } else if sensitive {
                format!(
                    "Volume `{vname}` bind-mounts the host's `{hpath}` at `{mount_at}`{}. Host system directories expose \
                     node credentials, kernel interfaces and other pods' data: /proc exposes every process's \
                     environment and memory maps, /etc and /var/lib/kubelet hold node and service-account credentials.",
                    if read_only { " (read-only)" } else { " writable" }
                )
            } else {
                format!(
                    "Volume `{vname}` bind-mounts the host's `{hpath}` at `{mount_at}`{}. hostPath ties the pod to one \
                     node's disk and lets it read{} files outside its sandbox.",
                    if read_only { " read-only" } else { "" },
                    if read_only { "" } else { " and write" }
                )
            };
            is.hotfix = if sensitive {
                vec![
                    format!("Remove the hostPath: the fragment replaces it with an emptyDir; if the app only needs data, use a PVC, ConfigMap or the Downward API instead."),
                    "If this is a node agent that needs it, keep it in a dedicated namespace and document the exception.".into(),
                ]
            } else {
                vec![
                    "Mount it read-only (the fragment) if the container only reads it.".into(),
                    "Prefer a PersistentVolumeClaim or emptyDir to a hostPath.".into(),
                ]
            };
            is.long_term = vec![
                "Pod Security Admission `baseline` rejects hostPath volumes; enforce it on application namespaces.".into(),
                "For image builds, use rootless builders (BuildKit rootless, kaniko) instead of the Docker socket.".into(),
            ];
            is.commands.push(
                "kubectl get pods -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}: {.spec.volumes[*].hostPath.path}{\"\\n\"}{end}'".into(),
            );
            if sensitive {
                if remaining_allowed {
                    // Others keep the host path under an override: point this container at an emptyDir of its own.
                    let mut p = mpath.clone();
                    p.push(k("name"));
                    is.ops.push(set(p, Node::str(replacement.clone())));
                    if !replacement_added && !used_volume_names.contains(&replacement) {
                        is.ops.push(Op::Push {
                            path: join(&ctx.spec_path, &["volumes"]),
                            value: Node::map(vec![
                                ("name", Node::str(replacement.clone())),
                                ("emptyDir", Node::empty_map()),
                            ]),
                        });
                        replacement_added = true;
                        used_volume_names.push(replacement.clone());
                    }
                } else {
                    let mut p = vol_path.clone();
                    p.push(k("hostPath"));
                    is.ops.push(Op::Remove { path: p });
                    let mut p = vol_path.clone();
                    p.push(k("emptyDir"));
                    is.ops.push(set(p, Node::empty_map()));
                }
            } else if !read_only {
                let mut p = mpath.clone();
                p.push(k("readOnly"));
                is.ops.push(set(p, Node::bool(true)));
            }
            apply_override(&mut is, allowed.clone());
            issues.push(is);
        }
    }

    for c in &ctrs {
        check_container(ctx, c, limitranges, issues);
    }
}

fn check_container(
    ctx: &Ctx,
    c: &Ctr,
    limitranges: &BTreeMap<Option<String>, &Obj>,
    issues: &mut Vec<Issue>,
) {
    let what = ctx.what();
    let name = c.name.as_str();
    let sc_path = join(&c.path, &["securityContext"]);
    let sc_line = c
        .node
        .get("securityContext")
        .map(|n| n.line)
        .unwrap_or(c.node.line);
    let line_of = |key: &str| sc_get(c.node, key).map(|n| n.line).unwrap_or(sc_line);
    let kind_word = if c.init {
        "Init container"
    } else {
        "Container"
    };

    // Privileged.
    let privileged = sc_get(c.node, "privileged").and_then(Node::as_bool) == Some(true);
    let privileged_allowed = ctx.allowed(Some(name), "allow-privileged");
    if privileged {
        let path = join(&sc_path, &["privileged"]);
        let mut is = ctx.issue(
            "k8s_privileged",
            Severity::Critical,
            Some(name),
            &path,
            line_of("privileged"),
        );
        is.title = format!("{kind_word} {name} of {what} runs privileged");
        is.summary = "`privileged: true` gives the container every capability, all host devices and no seccomp/AppArmor \
                      confinement: a process in it can mount the node's disk and load kernel modules. Escaping to the \
                      node is a one-liner (`nsenter -t 1 -m -u -i -n sh`)."
            .into();
        is.hotfix = vec![
            "Set `privileged: false` (the fragment) and add back only the capability the workload needs, if any.".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Enforce Pod Security Admission `baseline` at least: it rejects privileged pods.".into(),
            "Node agents that need it (CSI drivers, CNI) belong in their own namespace with a documented exception.".into(),
        ];
        is.commands.push(format!(
            "kubectl exec{} {}/{} -c {name} -- grep Cap /proc/1/status",
            ns_flag(ctx.ns.as_deref()),
            ctx.obj.kind.to_ascii_lowercase(),
            ctx.obj.name
        ));
        is.ops.push(set(path, Node::bool(false)));
        apply_override(&mut is, privileged_allowed.clone());
        issues.push(is);
    }
    let stays_privileged = privileged && privileged_allowed.is_some();

    // Run as root.
    let uid = sc_get(c.node, "runAsUser")
        .or_else(|| pod_sc_get(ctx.spec, "runAsUser"))
        .and_then(Node::as_i64);
    let non_root = sc_get(c.node, "runAsNonRoot")
        .or_else(|| pod_sc_get(ctx.spec, "runAsNonRoot"))
        .and_then(Node::as_bool);
    let root_issue = match (uid, non_root) {
        (Some(0), _) => Some(Severity::High),
        (Some(_), _) => None,
        (None, Some(true)) => None,
        (None, _) => Some(Severity::Medium),
    };
    if let Some(sev) = root_issue {
        let (path, line) = if uid == Some(0) {
            let l = sc_get(c.node, "runAsUser")
                .or_else(|| pod_sc_get(ctx.spec, "runAsUser"))
                .map(|n| n.line)
                .unwrap_or(sc_line);
            (join(&sc_path, &["runAsUser"]), l)
        } else {
            (join(&sc_path, &["runAsNonRoot"]), line_of("runAsNonRoot"))
        };
        let mut is = ctx.issue("k8s_run_as_root", sev, Some(name), &path, line);
        if uid == Some(0) {
            is.title = format!("{kind_word} {name} of {what} runs as root (runAsUser: 0)");
            is.summary = "The container is told to run as UID 0. Root in a container is root on the node's kernel: with \
                          one kernel bug, a writable hostPath or a stray capability it is root on the node, and it can \
                          rewrite its own image's binaries."
                .into();
        } else {
            is.title =
                format!("{kind_word} {name} of {what} may run as root: runAsNonRoot is not set");
            is.summary = format!(
                "Neither the pod nor the container sets `runAsNonRoot: true` or a non-zero `runAsUser`{}, so the \
                 container runs as whatever user the image declares, which for most images is root. Root in a \
                 container is root on the node's kernel.",
                if non_root == Some(false) { " (runAsNonRoot is false)" } else { "" }
            );
        }
        is.hotfix = vec![
            format!("Set `runAsNonRoot: true` and `runAsUser: {NON_ROOT_UID}` (the fragment); the kubelet then refuses to start the container as root."),
            "If the image needs root to bind a port below 1024 or to write into its own filesystem, use a non-root variant (e.g. nginxinc/nginx-unprivileged on 8080) or give it writable emptyDir volumes.".into(),
        ];
        is.long_term = vec![
            "Build images with a numeric non-root `USER` (above 10000, so it maps to no host user).".into(),
            "Enforce Pod Security Admission `restricted`, which requires runAsNonRoot.".into(),
        ];
        is.commands.push(format!(
            "kubectl exec{} {}/{} -c {name} -- id",
            ns_flag(ctx.ns.as_deref()),
            ctx.obj.kind.to_ascii_lowercase(),
            ctx.obj.name
        ));
        is.ops
            .push(set(join(&sc_path, &["runAsNonRoot"]), Node::bool(true)));
        if uid.is_none() || uid == Some(0) {
            is.ops
                .push(set(join(&sc_path, &["runAsUser"]), Node::int(NON_ROOT_UID)));
        }
        apply_override(&mut is, ctx.allowed(Some(name), "allow-run-as-root"));
        issues.push(is);
    }

    // Capabilities.
    let added: Vec<(String, String)> = sc_get(c.node, "capabilities")
        .and_then(|cap| cap.get("add"))
        .and_then(Node::as_seq)
        .map(|a| {
            a.iter()
                .filter_map(Node::as_text)
                .map(|s| (s.clone(), cap_name(&s)))
                .collect()
        })
        .unwrap_or_default();
    let dropped: Vec<String> = sc_get(c.node, "capabilities")
        .and_then(|cap| cap.get("drop"))
        .and_then(Node::as_seq)
        .map(|a| {
            a.iter()
                .filter_map(Node::as_text)
                .map(|s| cap_name(&s))
                .collect()
        })
        .unwrap_or_default();
    let drops_all = dropped.iter().any(|d| d == "ALL");
    let mut dangerous = Vec::new();
    let mut dangerous_allowed = Vec::new();
    for (raw, cap) in &added {
        if DANGEROUS_CAPS.contains(&cap.as_str()) {
            let override_name = format!(
                "allow-capability-{}",
                cap.to_ascii_lowercase().replace('_', "-")
            );
            match ctx.allowed(Some(name), &override_name) {
                Some(a) => dangerous_allowed.push((raw.clone(), cap.clone(), a)),
                None => dangerous.push((raw.clone(), cap.clone())),
            }
        }
    }
    let keeps_sys_admin = stays_privileged
        || dangerous_allowed
            .iter()
            .any(|(_, c, _)| c == "SYS_ADMIN" || c == "ALL");
    if !dangerous.is_empty() || !drops_all || !dangerous_allowed.is_empty() {
        let cap_path = join(&sc_path, &["capabilities"]);
        let severity = if dangerous
            .iter()
            .any(|(_, c)| c == "SYS_ADMIN" || c == "ALL")
        {
            Severity::Critical
        } else if !dangerous.is_empty() {
            Severity::High
        } else if !drops_all {
            Severity::Medium
        } else {
            Severity::Low
        };
        let line = sc_get(c.node, "capabilities")
            .map(|n| n.line)
            .unwrap_or(sc_line);
        let mut is = ctx.issue(
            "k8s_dangerous_capabilities",
            severity,
            Some(name),
            &cap_path,
            line,
        );
        let names: Vec<String> = dangerous.iter().map(|(_, c)| c.clone()).collect();
        is.title = if !names.is_empty() {
            format!(
                "{kind_word} {name} of {what} adds dangerous capabilities: {}",
                names.join(", ")
            )
        } else if !drops_all {
            format!("{kind_word} {name} of {what} does not drop ALL capabilities")
        } else {
            format!(
                "{kind_word} {name} of {what} adds {} (allowed by override)",
                dangerous_allowed
                    .iter()
                    .map(|(_, c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut why = Vec::new();
        if !names.is_empty() {
            why.push(format!(
                "It adds {}: SYS_ADMIN (and ALL) is close to full root on the node (mount, BPF, namespaces), NET_ADMIN \
                 rewrites the pod's and with hostNetwork the node's routing and firewall, SYS_PTRACE/SYS_MODULE/SYS_RAWIO \
                 reach into other processes, the kernel and raw devices.",
                names.join(", ")
            ));
        }
        if !drops_all {
            why.push(
                "It keeps the runtime's default capability set (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, NET_RAW, …): \
                 NET_RAW alone allows ARP/DNS spoofing of neighbouring pods. Dropping ALL and adding back what is needed \
                 is the baseline."
                    .into(),
            );
        }
        for (_, cap, (label, reason)) in &dangerous_allowed {
            why.push(format!(
                "{cap} is allowed by the override label `{label}` (\"{reason}\")."
            ));
        }
        is.summary = why.join(" ");
        is.hotfix = vec![
            "Drop ALL and add back only what the process needs, e.g. NET_BIND_SERVICE for a port below 1024 (the fragment).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Pod Security Admission `restricted` requires dropping ALL and allows adding back only NET_BIND_SERVICE.".into(),
            "Find what a process really uses with `getpcaps` or by running it with capabilities dropped in staging.".into(),
        ];
        is.commands.push(format!(
            "kubectl exec{} {}/{} -c {name} -- grep Cap /proc/1/status",
            ns_flag(ctx.ns.as_deref()),
            ctx.obj.kind.to_ascii_lowercase(),
            ctx.obj.name
        ));
        let keep: Vec<Node> = added
            .iter()
            .filter(|(_, cap)| !dangerous.iter().any(|(_, d)| d == cap))
            .map(|(raw, _)| Node::str(raw.clone()))
            .collect();
        if !dangerous.is_empty() {
            if keep.is_empty() {
                is.ops.push(Op::Remove {
                    path: join(&cap_path, &["add"]),
                });
            } else {
                is.ops.push(set(join(&cap_path, &["add"]), Node::seq(keep)));
            }
        }
        if !drops_all && !stays_privileged {
            is.ops.push(set(
                join(&cap_path, &["drop"]),
                Node::seq(vec![Node::str("ALL")]),
            ));
        }
        if dangerous.is_empty() && drops_all {
            // Only allowed ones left: report low, no fix.
            is.ops.clear();
        }
        if stays_privileged && dangerous.is_empty() {
            is.severity = Severity::Low;
            is.summary = format!("{} The container stays privileged under an override, so capabilities make no difference.", is.summary);
            is.ops.clear();
        }
        issues.push(is);
    }

    // Privilege escalation.
    let ape = sc_get(c.node, "allowPrivilegeEscalation").and_then(Node::as_bool);
    if ape != Some(false) {
        let path = join(&sc_path, &["allowPrivilegeEscalation"]);
        let sev = if ape == Some(true) {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut is = ctx.issue(
            "k8s_privilege_escalation",
            sev,
            Some(name),
            &path,
            line_of("allowPrivilegeEscalation"),
        );
        is.title = if ape == Some(true) {
            format!("{kind_word} {name} of {what} allows privilege escalation")
        } else {
            format!("{kind_word} {name} of {what} does not forbid privilege escalation")
        };
        is.summary = format!(
            "`allowPrivilegeEscalation` is {}, so the no_new_privs flag is off: a setuid binary in the image (su, sudo, \
             ping, mount) or a file capability can lift a process above the user it started as.",
            if ape == Some(true) { "true" } else { "not set (it defaults to true)" }
        );
        is.hotfix = vec![
            "Set `allowPrivilegeEscalation: false` (the fragment).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Pod Security Admission `restricted` requires allowPrivilegeEscalation: false.".into(),
        ];
        if keeps_sys_admin {
            is.severity = Severity::Low;
            is.summary = format!(
                "{} The container keeps privileged/SYS_ADMIN under an override, and the API rejects allowPrivilegeEscalation: false together with them, so it stays.",
                is.summary
            );
        } else {
            is.ops.push(set(path, Node::bool(false)));
        }
        apply_override(
            &mut is,
            ctx.allowed(Some(name), "allow-privilege-escalation"),
        );
        issues.push(is);
    }

    // Read-only root filesystem.
    let rorf = sc_get(c.node, "readOnlyRootFilesystem").and_then(Node::as_bool);
    if rorf != Some(true) {
        let path = join(&sc_path, &["readOnlyRootFilesystem"]);
        let mut is = ctx.issue(
            "k8s_writable_root_fs",
            Severity::Medium,
            Some(name),
            &path,
            line_of("readOnlyRootFilesystem"),
        );
        is.title = format!("{kind_word} {name} of {what} has a writable root filesystem");
        is.summary = format!(
            "`readOnlyRootFilesystem` is {}: an attacker who gets code execution can drop tools and binaries into the \
             image's own directories and change what later runs, and the writable layer hides it from image scans.",
            if rorf == Some(false) { "false" } else { "not set" }
        );
        is.hotfix = vec![
            "Set `readOnlyRootFilesystem: true` and mount an emptyDir where the app writes (the fragment mounts one at /tmp; add more for cache or pid directories).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Make images write only to declared volumes (logs to stdout, state to a PVC).".into(),
        ];
        is.commands.push(format!(
            "kubectl exec{} {}/{} -c {name} -- sh -c 'touch /probe && echo writable'",
            ns_flag(ctx.ns.as_deref()),
            ctx.obj.kind.to_ascii_lowercase(),
            ctx.obj.name
        ));
        is.ops.push(set(path, Node::bool(true)));
        // Keep the usual writable places writable.
        let mounted: Vec<String> = c
            .node
            .get("volumeMounts")
            .and_then(Node::as_seq)
            .map(|m| {
                m.iter()
                    .filter_map(|vm| vm.get("mountPath").and_then(Node::as_text))
                    .collect()
            })
            .unwrap_or_default();
        let mut dirs = vec!["/tmp"];
        if matches!(
            image_base(c.node.get("image").and_then(Node::as_str).unwrap_or("")).as_str(),
            "nginx" | "openresty"
        ) {
            dirs.extend(["/var/cache/nginx", "/var/run"]);
        }
        for dir in dirs {
            if mounted.iter().any(|m| m.trim_end_matches('/') == dir) {
                continue;
            }
            let vol = dns_label(&format!(
                "{name}-{}",
                dir.trim_start_matches('/').replace('/', "-")
            ));
            is.ops.push(Op::Push {
                path: join(&c.path, &["volumeMounts"]),
                value: Node::map(vec![
                    ("name", Node::str(vol.clone())),
                    ("mountPath", Node::str(dir)),
                ]),
            });
            is.ops.push(Op::Push {
                path: join(&ctx.spec_path, &["volumes"]),
                value: Node::map(vec![
                    ("name", Node::str(vol)),
                    ("emptyDir", Node::empty_map()),
                ]),
            });
        }
        apply_override(
            &mut is,
            ctx.allowed(Some(name), "allow-read-only-root-filesystem-false"),
        );
        issues.push(is);
    }

    // Probes (long-running workloads, regular containers and restartable sidecars).
    let sidecar = c.init && c.node.get("restartPolicy").and_then(Node::as_str) == Some("Always");
    if ctx.long_running && (!c.init || sidecar) {
        let port = probe_port(c.node);
        for (field, kind, initial, period, timeout) in [
            ("livenessProbe", "k8s_missing_liveness_probe", 15, 20, 5),
            ("readinessProbe", "k8s_missing_readiness_probe", 5, 10, 3),
        ] {
            if c.node.get(field).map(|p| !p.is_null()).unwrap_or(false) {
                continue;
            }
            let path = join(&c.path, &[field]);
            let sev = if port.is_some() {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut is = ctx.issue(kind, sev, Some(name), &path, c.node.line);
            let liveness = field == "livenessProbe";
            is.title = format!(
                "{kind_word} {name} of {what} has no {} probe",
                if liveness { "liveness" } else { "readiness" }
            );
            is.summary = if liveness {
                "Without a liveness probe Kubernetes only notices a dead process, not a hung one: a deadlocked worker, \
                 an exhausted thread pool or a wedged event loop keeps its pod Running and in the Service while every \
                 request to it times out."
                    .into()
            } else {
                "Without a readiness probe the pod joins the Service the moment its process starts: during start-up, \
                 rollouts and overload, requests reach a pod that cannot serve them (502/503s at the ingress, failed \
                 rolling updates that look green)."
                    .into()
            };
            if port.is_none() {
                is.summary.push_str(
                    " The container declares no port and its image is not one whose port is known, so no probe can be \
                     generated safely: reported at low.",
                );
            }
            is.hotfix = match port {
                Some(p) => vec![
                    format!("Add a {field} (the fragment checks TCP port {p}; point an httpGet at a real health endpoint when the app has one)."),
                    patch_hint(ctx),
                ],
                None => vec![format!("Add a {field}: an httpGet on the app's health endpoint, or an exec probe that checks the worker's heartbeat.")],
            };
            is.long_term = vec![
                "Give the app cheap /healthz (liveness: the process can make progress) and /readyz (readiness: dependencies reachable) endpoints.".into(),
                "Add a startupProbe for slow starters instead of a long initialDelaySeconds.".into(),
            ];
            is.commands.push(format!(
                "kubectl get events{} --field-selector reason=Unhealthy",
                ns_flag(ctx.ns.as_deref())
            ));
            if let Some(p) = port {
                is.ops
                    .push(set(path, tcp_probe(p, initial, period, timeout)));
            }
            issues.push(is);
        }
    }

    // Resources.
    let (res, missing) = resolved_resources(c.node);
    if !missing.is_empty() {
        let covered_by_limitrange = limitranges
            .get(&ctx.ns)
            .map(|lr| limitrange_covers(lr, &missing))
            .unwrap_or(false);
        let sev = if covered_by_limitrange || missing == ["limits.cpu"] {
            Severity::Low
        } else {
            Severity::Medium
        };
        let path = join(&c.path, &["resources"]);
        let line = c
            .node
            .get("resources")
            .map(|n| n.line)
            .unwrap_or(c.node.line);
        let mut is = ctx.issue("k8s_missing_resources", sev, Some(name), &path, line);
        is.title = format!("{kind_word} {name} of {what} has no {}", missing.join(", "));
        let mut why = Vec::new();
        if missing.contains(&"requests.memory") || missing.contains(&"requests.cpu") {
            why.push("Without requests the scheduler places the pod as if it needed nothing, packing nodes until they run out; the pod's QoS class drops to BestEffort or Burstable, so under node memory pressure it is among the first evicted.".to_string());
        }
        if missing.contains(&"limits.memory") {
            why.push("Without a memory limit one leaking container can use the node's memory until the kubelet evicts pods or the kernel OOM-kills whatever it picks, often a neighbour.".to_string());
        }
        if missing.contains(&"limits.cpu") {
            why.push("Without a CPU limit a busy container can starve others on the node that have no requests.".to_string());
        }
        if covered_by_limitrange {
            why.push(
                "A LimitRange in this namespace defaults the missing values, so reported at low."
                    .into(),
            );
        }
        is.summary = why.join(" ");
        is.hotfix = vec![
            format!(
                "Set requests and limits (the fragment: requests cpu {} / memory {}, limits cpu {} / memory {}; existing values kept), then tune them from real usage.",
                fmt_cpu(res.req_cpu), fmt_mem(res.req_mem), fmt_cpu(res.lim_cpu), fmt_mem(res.lim_mem)
            ),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Size requests from observed usage (`kubectl top`, VPA in recommendation mode) and keep memory limit close to the request.".into(),
            "Give every namespace a LimitRange with defaults and a ResourceQuota.".into(),
        ];
        is.commands.push(format!(
            "kubectl top pod{} --containers",
            ns_flag(ctx.ns.as_deref())
        ));
        is.commands
            .push("kubectl describe nodes | grep -A 8 'Allocated resources'".into());
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |~ \"OOMKilled|Evicted|memory cgroup out of memory\"", ctx.ns.as_deref().unwrap_or("default")),
            kql: format!("KubePodInventory | where Namespace == \"{}\" | where ContainerStatusReason in (\"OOMKilled\", \"Evicted\") | summarize count() by Name, ContainerStatusReason", ctx.ns.as_deref().unwrap_or("default")),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.involvedObject.namespace\"=\"{}\" (\"object.reason\"=\"Evicted\" OR \"object.reason\"=\"OOMKilling\")", ctx.ns.as_deref().unwrap_or("default")),
        };
        let values = [
            ("requests", "cpu", fmt_cpu(res.req_cpu)),
            ("requests", "memory", fmt_mem(res.req_mem)),
            ("limits", "cpu", fmt_cpu(res.lim_cpu)),
            ("limits", "memory", fmt_mem(res.lim_mem)),
        ];
        for (group, res_name, value) in values {
            if missing.contains(&format!("{group}.{res_name}").as_str()) {
                is.ops.push(set(
                    join(&c.path, &["resources", group, res_name]),
                    Node::str(value),
                ));
            }
        }
        issues.push(is);
    }

    // Image tag.
    if let Some(image) = c.node.get("image").and_then(Node::as_text) {
        let (repo, tag, digest) = image_tag(&image);
        let unpinned = !digest && (tag.is_none() || tag.as_deref() == Some("latest"));
        if unpinned {
            let always = c.node.get("imagePullPolicy").and_then(Node::as_str) == Some("Always");
            let path = join(&c.path, &["image"]);
            let line = c.node.get("image").map(|n| n.line).unwrap_or(c.node.line);
            let mut is = ctx.issue(
                "k8s_latest_image",
                if always {
                    Severity::Low
                } else {
                    Severity::Medium
                },
                Some(name),
                &path,
                line,
            );
            is.title = format!(
                "{kind_word} {name} of {what} uses an unpinned image ({image}{})",
                if tag.is_none() {
                    ", no tag means :latest"
                } else {
                    ""
                }
            );
            is.summary = format!(
                "`{image}` names no fixed version: what runs depends on when each node last pulled it. With \
                 imagePullPolicy {} nodes keep whatever they cached, so replicas of one Deployment can run different \
                 code, a rollback does not roll back, and a re-pushed `latest` ships unreviewed changes.{}",
                c.node.get("imagePullPolicy").and_then(Node::as_str).unwrap_or("IfNotPresent (the default for a tag)"),
                if always { " imagePullPolicy: Always keeps nodes consistent, so reported at low; pin the version all the same." } else { "" }
            );
            is.hotfix = vec![
                format!("Pin a version or digest: `image: {repo}:<version>` or `{repo}@sha256:<digest>` (the digest of what runs now is in the pod's status.containerStatuses[].imageID)."),
                "Until then, `imagePullPolicy: Always` (the fragment) at least makes every node run the same image.".into(),
            ];
            is.long_term = vec![
                "Have CI write immutable tags (git SHA or semver) into the manifests; forbid :latest with an admission policy.".into(),
            ];
            is.commands.push(format!(
                "kubectl get pods{} -o jsonpath='{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}{{.status.containerStatuses[*].imageID}}{{\"\\n\"}}{{end}}'",
                ns_flag(ctx.ns.as_deref())
            ));
            is.ops.push(set(
                join(&c.path, &["imagePullPolicy"]),
                Node::str("Always"),
            ));
            issues.push(is);
        }
    }

    // Literal secrets in env.
    if let Some(env) = c.node.get("env").and_then(Node::as_seq) {
        let mut hits = Vec::new();
        for (ei, e) in env.iter().enumerate() {
            let (Some(var), Some(value)) = (
                e.get("name").and_then(Node::as_text),
                e.get("value").and_then(Node::as_text),
            ) else {
                continue;
            };
            if literal_secret(&var, &value) {
                hits.push((ei, var, value, e.line));
            }
        }
        if !hits.is_empty() {
            let path = {
                let mut p = join(&c.path, &["env"]);
                p.push(Seg::Index(hits[0].0));
                p.push(k("value"));
                p
            };
            let mut is = ctx.issue(
                "k8s_secret_in_env",
                Severity::High,
                Some(name),
                &path,
                hits[0].3,
            );
            for h in &hits[1..] {
                is.lines.push(h.3);
            }
            let vars: Vec<&str> = hits.iter().map(|h| h.1.as_str()).collect();
            is.title = format!(
                "{kind_word} {name} of {what} has secrets as literal env values: {}",
                vars.join(", ")
            );
            is.summary = format!(
                "{} {} written into the manifest in clear text. Anyone who can read the manifest, the Git history, the \
                 Helm release secret or `kubectl get -o yaml` on the workload (a far wider group than Secret readers) has \
                 the credential, and it cannot be rotated without a redeploy.",
                vars.join(", "),
                if vars.len() == 1 { "is" } else { "are" }
            );
            let secret = dns_label(&format!("{}-env", ctx.obj.name));
            is.hotfix = vec![
                format!("Rotate the exposed credential{}: it has been in clear text.", if vars.len() == 1 { "" } else { "s" }),
                format!("Move the values into a Secret and reference it with secretKeyRef (the fragment; `logsieve k8s-fix` writes Secret `{secret}` with the current values next to the workload)."),
            ];
            is.long_term = vec![
                "Keep secrets out of Git: SealedSecrets, External Secrets Operator or SOPS.".into(),
                "Prefer mounting secrets as files over env vars (env leaks into crash dumps and child processes).".into(),
            ];
            is.commands.push(format!(
                "kubectl create secret generic {secret}{} {}",
                ns_flag(ctx.ns.as_deref()),
                hits.iter()
                    .map(|h| format!("--from-literal={}=…", secret_key(&h.1)))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
            for (ei, var, value, _) in &hits {
                let mut p = join(&c.path, &["env"]);
                p.push(Seg::Index(*ei));
                let mut pv = p.clone();
                pv.push(k("value"));
                is.ops.push(Op::Remove { path: pv });
                p.push(k("valueFrom"));
                is.ops.push(set(
                    p,
                    Node::map(vec![(
                        "secretKeyRef",
                        Node::map(vec![
                            ("name", Node::str(secret.clone())),
                            ("key", Node::str(secret_key(var))),
                        ]),
                    )]),
                ));
                is.extras.push(Extra::SecretValue {
                    namespace: ctx.ns.clone(),
                    secret: secret.clone(),
                    key: secret_key(var),
                    value: value.clone(),
                });
            }
            issues.push(is);
        }
    }

    // A container-level Unconfined seccomp profile.
    if sc_get(c.node, "seccompProfile")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
        == Some("Unconfined")
    {
        let path = join(&sc_path, &["seccompProfile", "type"]);
        let mut is = ctx.issue(
            "k8s_seccomp",
            Severity::Medium,
            Some(name),
            &path,
            line_of("seccompProfile"),
        );
        is.title = format!("{kind_word} {name} of {what} disables seccomp (Unconfined)");
        is.summary = "`seccompProfile.type: Unconfined` switches syscall filtering off for this container, whatever the pod sets.".into();
        is.hotfix = vec![
            "Use `RuntimeDefault` (the fragment).".into(),
            patch_hint(ctx),
        ];
        is.long_term = vec![
            "Where a syscall is really needed, write a Localhost profile that allows just it."
                .into(),
        ];
        is.ops.push(set(path, Node::str("RuntimeDefault")));
        issues.push(is);
    }
}

/// Secret keys: lower-case, `-` and `.` allowed.
fn secret_key(var: &str) -> String {
    var.to_ascii_lowercase().replace('_', "-")
}

fn limitrange_covers(lr: &Obj, missing: &[&str]) -> bool {
    let Some(limits) = lr.node.get_path(&["spec", "limits"]).and_then(Node::as_seq) else {
        return false;
    };
    let Some(ctr) = limits
        .iter()
        .find(|l| l.get("type").and_then(Node::as_str) == Some("Container"))
    else {
        return false;
    };
    missing.iter().all(|m| {
        let (group, res) = m.split_once('.').unwrap_or(("", ""));
        let field = if group == "requests" {
            "defaultRequest"
        } else {
            "default"
        };
        // A default limit also becomes the default request.
        ctr.get(field).and_then(|d| d.get(res)).is_some()
            || (group == "requests" && ctr.get("default").and_then(|d| d.get(res)).is_some())
    })
}

fn no_limitrange_quota(
    loaded: &Loaded,
    ns: Option<&str>,
    objs: &[usize],
    has_lr: bool,
    has_rq: bool,
) -> Issue {
    let ns_name = ns.unwrap_or("default");
    let shown = ns
        .map(str::to_string)
        .unwrap_or_else(|| "(the kubectl context's namespace)".into());
    let target = Target {
        kind: "Namespace".into(),
        namespace: ns.map(str::to_string),
        name: ns_name.to_string(),
        container: None,
        yaml_path: String::new(),
    };
    let missing: Vec<&str> = [
        (!has_lr).then_some("LimitRange"),
        (!has_rq).then_some("ResourceQuota"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut is = Issue::new("k8s_no_limitrange_quota", Severity::Medium, target);
    for &i in objs {
        is.lines.push(loaded.objs[i].line);
    }
    let names: Vec<String> = objs
        .iter()
        .take(5)
        .map(|&i| loaded.objs[i].label())
        .collect();
    is.title = format!(
        "Namespace {shown} has workloads but no {}",
        missing.join(" or ")
    );
    is.summary = format!(
        "{} workload{} ({}{}) {} in namespace {shown}, and the input has no {} for it. Without a LimitRange, containers \
         that set no requests/limits run as BestEffort: the scheduler overpacks nodes and the kubelet evicts those pods \
         first when a node runs low on memory or disk (the Evicted pods of the seed's cluster). Without a \
         ResourceQuota one runaway rollout or leak can take the whole cluster's capacity.",
        objs.len(),
        if objs.len() == 1 { "" } else { "s" },
        names.join(", "),
        if objs.len() > 5 { ", …" } else { "" },
        if objs.len() == 1 { "runs" } else { "run" },
        missing.join(" or ")
    );
    is.root_cause = Some("Resource governance is missing at the namespace level, so each workload's own settings are the only guard.".into());
    is.hotfix = vec![
        format!("Apply the {} in the fragment (defaults: requests 100m/128Mi, limits 500m/512Mi per container; the quota is twice what the workloads here ask for).", missing.join(" and ")),
        "If the namespace already has them in the cluster (outside this input), check they cover these workloads: `kubectl describe limitrange,resourcequota`.".into(),
    ];
    is.long_term = vec![
        "Create namespaces from a template that includes LimitRange, ResourceQuota, NetworkPolicy and Pod Security labels.".into(),
        "Review quota usage monthly (`kubectl describe resourcequota`) and right-size with VPA recommendations.".into(),
    ];
    is.commands = vec![
        format!("kubectl get limitrange,resourcequota -n {ns_name}"),
        format!("kubectl describe resourcequota -n {ns_name}"),
        format!("kubectl top pod -n {ns_name} --containers"),
        format!("kubectl get pods -n {ns_name} --field-selector=status.phase=Failed"),
    ];
    is.queries = Queries {
        logql: format!("{{namespace=\"{ns_name}\"}} |~ \"Evicted|OOMKilled|exceeded quota\""),
        kql: format!("KubeEvents | where Namespace == \"{ns_name}\" | where Reason in (\"Evicted\", \"OOMKilling\", \"FailedCreate\") | project TimeGenerated, Name, Reason, Message"),
        spl: format!("index=* sourcetype=\"kube:object:events\" \"object.involvedObject.namespace\"=\"{ns_name}\" (\"object.reason\"=\"Evicted\" OR \"object.message\"=\"*exceeded quota*\")"),
    };
    // Size the quota from what the workloads ask for once fixed.
    let (mut rc, mut rm, mut lc, mut lm, mut pods) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for &i in objs {
        let obj = &loaded.objs[i];
        let Some(sp) = pod_spec_path(&obj.kind) else {
            continue;
        };
        let Some(spec) = obj.node.at(&sp) else {
            continue;
        };
        let replicas = match obj.kind.as_str() {
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => {
                obj.node
                    .get_path(&["spec", "replicas"])
                    .and_then(Node::as_i64)
                    .unwrap_or(1)
                    .max(1) as u64
            }
            "Job" | "CronJob" => 1,
            // A DaemonSet runs one pod per node; count three nodes.
            "DaemonSet" => 3,
            _ => 1,
        };
        pods += replicas;
        if let Some(cs) = spec.get("containers").and_then(Node::as_seq) {
            for c in cs {
                let (r, _) = resolved_resources(c);
                rc += r.req_cpu * replicas;
                rm += r.req_mem * replicas;
                lc += r.lim_cpu * replicas;
                lm += r.lim_mem * replicas;
            }
        }
    }
    const GI: u64 = 1 << 30;
    let cores = |m: u64, floor: u64| ((m * 2).div_ceil(1000)).max(floor);
    let gib = |b: u64, floor: u64| ((b * 2).div_ceil(GI)).max(floor);
    let mk_meta = |name: &str| {
        let mut m = Node::map(vec![("name", Node::str(name))]);
        if let Some(ns) = ns {
            m.set("namespace", Node::str(ns));
        }
        m
    };
    if !has_lr {
        let lr = Node::map(vec![
            ("apiVersion", Node::str("v1")),
            ("kind", Node::str("LimitRange")),
            ("metadata", mk_meta("default-limits")),
            (
                "spec",
                Node::map(vec![(
                    "limits",
                    Node::seq(vec![Node::map(vec![
                        ("type", Node::str("Container")),
                        (
                            "default",
                            Node::map(vec![
                                ("cpu", Node::str("500m")),
                                ("memory", Node::str("512Mi")),
                            ]),
                        ),
                        (
                            "defaultRequest",
                            Node::map(vec![
                                ("cpu", Node::str("100m")),
                                ("memory", Node::str("128Mi")),
                            ]),
                        ),
                    ])]),
                )]),
            ),
        ]);
        is.extras.push(Extra::Object {
            key: format!("limitrange/{ns_name}"),
            node: lr,
        });
    }
    if !has_rq {
        let rq = Node::map(vec![
            ("apiVersion", Node::str("v1")),
            ("kind", Node::str("ResourceQuota")),
            ("metadata", mk_meta("default-quota")),
            (
                "spec",
                Node::map(vec![(
                    "hard",
                    Node::new(Val::Map(vec![
                        ("requests.cpu".into(), Node::str(cores(rc, 2).to_string())),
                        (
                            "requests.memory".into(),
                            Node::str(format!("{}Gi", gib(rm, 4))),
                        ),
                        ("limits.cpu".into(), Node::str(cores(lc, 4).to_string())),
                        (
                            "limits.memory".into(),
                            Node::str(format!("{}Gi", gib(lm, 8))),
                        ),
                        ("pods".into(), Node::str((pods * 2).max(20).to_string())),
                    ])),
                )]),
            ),
        ]);
        is.extras.push(Extra::Object {
            key: format!("resourcequota/{ns_name}"),
            node: rq,
        });
    }
    is
}
