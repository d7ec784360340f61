//! Cluster-state findings: Evicted, OOMKilled, CrashLoopBackOff, image pull failures, Pending pods and failing
//! probes, from `kubectl get pods`, `kubectl get events`, `kubectl describe pod` and `-o yaml/json`.

use std::collections::BTreeMap;

use logsieve_engine::{Queries, Severity};

use crate::cluster::{owner_of, ClusterState, CtrRec, EventRec, PodRec};
use crate::issue::{ns_flag, Issue, Target};
use crate::node::{Node, Val};
use crate::quantity::{fmt_mem, mem_bytes, tidy_mem};

type Key = (Option<String>, String, String);

/// Pods and events of one workload (namespace, owner kind, owner name).
#[derive(Default)]
struct Group<'a> {
    pods: Vec<&'a PodRec>,
    events: Vec<&'a EventRec>,
}

fn key_of(ns: &Option<String>, pod: &str) -> Key {
    let (kind, name) = owner_of(pod);
    (ns.clone(), kind, name)
}

fn pod_spec_prefix(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    }
}

fn ctr_path(kind: &str, container: Option<&str>, rest: &str) -> String {
    let mut p = pod_spec_prefix(kind).join(".");
    match container {
        Some(c) => p.push_str(&format!(".containers[name={c}]")),
        None => p.push_str(".containers[*]"),
    }
    if !rest.is_empty() {
        p.push('.');
        p.push_str(rest);
    }
    p
}

/// A strategic merge patch touching the named containers of a workload, with a header saying how to apply it.
fn container_patch(
    kind: &str,
    name: &str,
    ns: Option<&str>,
    containers: Vec<(String, Vec<(&str, Node)>)>,
    pod_fields: Vec<(&str, Node)>,
) -> String {
    let mut spec = Node::empty_map();
    if !containers.is_empty() {
        let list = containers
            .into_iter()
            .map(|(cname, fields)| {
                let mut m = Node::map(vec![("name", Node::str(cname))]);
                for (k, v) in fields {
                    m.set(k, v);
                }
                m
            })
            .collect();
        spec.set("containers", Node::seq(list));
    }
    for (k, v) in pod_fields {
        spec.set(k, v);
    }
    let mut root = spec;
    for key in pod_spec_prefix(kind).iter().rev() {
        root = Node::new(Val::Map(vec![(key.to_string(), root)]));
    }
    let header = if kind == "Pod" {
        format!("# Pod specs are immutable: add this to the pod's manifest and recreate it ({name}{}).\n", ns.map(|n| format!(" in {n}")).unwrap_or_default())
    } else {
        format!(
            "# kubectl patch {} {name}{} --type strategic --patch-file fix.yaml\n",
            kind.to_ascii_lowercase(),
            ns_flag(ns)
        )
    };
    format!("{header}{}", root.to_yaml())
}

fn resources_node(req_mem: u64, lim_mem: u64, req_cpu: Option<&str>) -> Node {
    let mut requests = Node::map(vec![("memory", Node::str(fmt_mem(req_mem)))]);
    if let Some(cpu) = req_cpu {
        requests.set("cpu", Node::str(cpu));
    }
    Node::map(vec![
        ("requests", requests),
        (
            "limits",
            Node::map(vec![("memory", Node::str(fmt_mem(lim_mem)))]),
        ),
    ])
}

fn limitrange_yaml(ns: Option<&str>) -> String {
    let meta = |name: &str| {
        let mut m = Node::map(vec![("name", Node::str(name))]);
        if let Some(ns) = ns {
            m.set("namespace", Node::str(ns));
        }
        m
    };
    let lr = Node::map(vec![
        ("apiVersion", Node::str("v1")),
        ("kind", Node::str("LimitRange")),
        ("metadata", meta("default-limits")),
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
    let rq = Node::map(vec![
        ("apiVersion", Node::str("v1")),
        ("kind", Node::str("ResourceQuota")),
        ("metadata", meta("default-quota")),
        (
            "spec",
            Node::map(vec![(
                "hard",
                Node::new(Val::Map(vec![
                    ("requests.cpu".into(), Node::str("4")),
                    ("requests.memory".into(), Node::str("8Gi")),
                    ("limits.cpu".into(), Node::str("8")),
                    ("limits.memory".into(), Node::str("16Gi")),
                    ("pods".into(), Node::str("50")),
                ])),
            )]),
        ),
    ]);
    format!("---\n{}---\n{}", lr.to_yaml(), rq.to_yaml())
}

fn describe_cmd(pod: &PodRec) -> String {
    format!(
        "kubectl describe pod {}{}",
        pod.name,
        ns_flag(pod.namespace.as_deref())
    )
}

fn owner_label(kind: &str, name: &str, ns: Option<&str>) -> String {
    let k = if kind == "Pod" { "pod" } else { kind };
    match ns {
        Some(ns) => format!("{k} {ns}/{name}"),
        None => format!("{k} {name}"),
    }
}

fn pods_phrase(pods: &[&PodRec]) -> String {
    let names: Vec<&str> = pods.iter().take(3).map(|p| p.name.as_str()).collect();
    let more = if pods.len() > 3 {
        format!(" and {} more", pods.len() - 3)
    } else {
        String::new()
    };
    format!("{}{more}", names.join(", "))
}

fn ns_q(ns: Option<&str>) -> String {
    ns.unwrap_or("default").to_string()
}

/// Everything the state says about one workload, collected once.
fn group_by<'a>(
    st: &'a ClusterState,
    pod_pred: impl Fn(&PodRec) -> bool,
    ev_pred: impl Fn(&EventRec) -> bool,
) -> BTreeMap<Key, Group<'a>> {
    let mut groups: BTreeMap<Key, Group<'a>> = BTreeMap::new();
    for p in st.pods.iter().filter(|p| pod_pred(p)) {
        groups
            .entry(key_of(&p.namespace, &p.name))
            .or_default()
            .pods
            .push(p);
    }
    for e in st.events.iter().filter(|e| ev_pred(e)) {
        if e.object_kind != "Pod" && !e.object_kind.is_empty() {
            continue;
        }
        groups
            .entry(key_of(&e.namespace, &e.object_name))
            .or_default()
            .events
            .push(e);
    }
    groups
}

fn base_issue(
    kind: &'static str,
    severity: Severity,
    key: &Key,
    container: Option<&str>,
    yaml_path: String,
) -> Issue {
    Issue::new(
        kind,
        severity,
        Target {
            kind: key.1.clone(),
            namespace: key.0.clone(),
            name: key.2.clone(),
            container: container.map(str::to_string),
            yaml_path,
        },
    )
}

fn lines_of(g: &Group) -> Vec<u64> {
    g.pods
        .iter()
        .map(|p| p.line)
        .chain(g.events.iter().map(|e| e.line))
        .collect()
}

fn times(g: &Group) -> (Option<String>, Option<String>) {
    let mut ts: Vec<&str> = g
        .events
        .iter()
        .filter_map(|e| e.timestamp.as_deref())
        .chain(g.pods.iter().flat_map(|p| {
            p.containers
                .iter()
                .filter_map(|c| c.last_finished.as_deref())
        }))
        .filter(|t| t.len() >= 19 && t.as_bytes().get(4) == Some(&b'-'))
        .collect();
    ts.sort_unstable();
    (
        ts.first().map(|s| s.to_string()),
        ts.last().map(|s| s.to_string()),
    )
}

fn single_container(g: &Group, pred: impl Fn(&CtrRec) -> bool) -> Option<String> {
    let mut names: Vec<String> = g
        .pods
        .iter()
        .flat_map(|p| {
            p.containers
                .iter()
                .filter(|c| pred(c))
                .map(|c| c.name.clone())
        })
        .collect();
    names.sort();
    names.dedup();
    if names.len() == 1 {
        names.pop()
    } else {
        None
    }
}

pub fn check(st: &ClusterState) -> Vec<Issue> {
    let mut out = Vec::new();
    evicted(st, &mut out);
    oomkilled(st, &mut out);
    crash_loop(st, &mut out);
    image_pull(st, &mut out);
    pending(st, &mut out);
    probe_failures(st, &mut out);
    out
}

// ------------------------------------------------------------------ Evicted

/// "The node was low on resource: memory. Threshold quantity: 100Mi, available: 48Mi. Container app was using
/// 1210960Ki, request is 0, has larger consumption of memory."
struct EvictionInfo {
    resource: Option<String>,
    usages: Vec<(String, String, String)>,
}

fn parse_eviction(msg: &str) -> EvictionInfo {
    let resource = msg
        .split("low on resource: ")
        .nth(1)
        .map(|r| r.split(['.', ',']).next().unwrap_or("").trim().to_string());
    let mut usages = Vec::new();
    for part in msg.split("Container ").skip(1) {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap_or("").to_string();
        if let Some(rest) = part.split(" was using ").nth(1) {
            let usage = rest.split([',', ' ']).next().unwrap_or("").to_string();
            let request = rest
                .split("request is ")
                .nth(1)
                .map(|r| r.split([',', ' ', '.']).next().unwrap_or("").to_string())
                .unwrap_or_default();
            usages.push((name, usage, request));
        }
    }
    EvictionInfo {
        resource: resource.filter(|r| !r.is_empty()),
        usages,
    }
}

fn evicted(st: &ClusterState, out: &mut Vec<Issue>) {
    let groups = group_by(
        st,
        |p| p.status == "Evicted" || p.reason.as_deref() == Some("Evicted"),
        |e| e.reason == "Evicted",
    );
    // Node-side pressure events, by node.
    let mut pressure: BTreeMap<String, Vec<&EventRec>> = BTreeMap::new();
    for e in &st.events {
        if e.object_kind == "Node"
            && matches!(
                e.reason.as_str(),
                "EvictionThresholdMet"
                    | "NodeHasDiskPressure"
                    | "NodeHasMemoryPressure"
                    | "NodeHasPIDPressure"
                    | "FreeDiskSpaceFailed"
                    | "ImageGCFailed"
            )
        {
            pressure.entry(e.object_name.clone()).or_default().push(e);
        }
    }
    for (key, g) in groups {
        if g.pods.is_empty() && g.events.is_empty() {
            continue;
        }
        let ns = key.0.as_deref();
        let messages: Vec<&str> = g
            .pods
            .iter()
            .filter_map(|p| p.message.as_deref())
            .chain(g.events.iter().map(|e| e.message.as_str()))
            .collect();
        let infos: Vec<EvictionInfo> = messages.iter().map(|m| parse_eviction(m)).collect();
        let mut resources: Vec<String> = infos.iter().filter_map(|i| i.resource.clone()).collect();
        resources.sort();
        resources.dedup();
        let nodes: Vec<String> = {
            let mut n: Vec<String> = g.pods.iter().filter_map(|p| p.node.clone()).collect();
            n.sort();
            n.dedup();
            n
        };
        // Pressure on the pods' nodes; when the input does not say where the pods ran, every node that reported it.
        let node_events: Vec<&EventRec> = if nodes.is_empty() {
            pressure.values().flatten().copied().collect()
        } else {
            nodes
                .iter()
                .flat_map(|n| pressure.get(n).cloned().unwrap_or_default())
                .collect()
        };
        if resources.is_empty() {
            for e in &node_events {
                let m = e.message.to_ascii_lowercase();
                let r = if e.reason.contains("Disk")
                    || m.contains("ephemeral-storage")
                    || m.contains("nodefs")
                    || m.contains("imagefs")
                {
                    "ephemeral-storage"
                } else if e.reason.contains("Memory") || m.contains("memory") {
                    "memory"
                } else if e.reason.contains("PID") {
                    "pids"
                } else {
                    continue;
                };
                if !resources.iter().any(|x| x == r) {
                    resources.push(r.to_string());
                }
            }
        }
        let usages: Vec<&(String, String, String)> =
            infos.iter().flat_map(|i| i.usages.iter()).collect();
        let zero_request = usages.iter().any(|u| u.2 == "0");
        let best_effort = g
            .pods
            .iter()
            .any(|p| p.qos.as_deref() == Some("BestEffort"));
        let no_limits_known = g
            .pods
            .iter()
            .any(|p| !p.containers.is_empty() && p.containers.iter().all(|c| c.lim_mem.is_none()));
        let container = {
            let mut names: Vec<String> = usages.iter().map(|u| u.0.clone()).collect();
            names.sort();
            names.dedup();
            if names.len() == 1 {
                names.pop()
            } else {
                single_container(&g, |_| true)
            }
        };
        let count = {
            let mut names: Vec<&str> = g
                .pods
                .iter()
                .map(|p| p.name.as_str())
                .chain(g.events.iter().map(|e| e.object_name.as_str()))
                .collect();
            names.sort_unstable();
            names.dedup();
            names.len().max(1)
        };
        let what = owner_label(&key.1, &key.2, ns);
        let res_text = if resources.is_empty() {
            "a resource (the reason is not in the input)".to_string()
        } else {
            resources.join(" and ")
        };
        let mut is = base_issue(
            "k8s_evicted",
            Severity::High,
            &key,
            container.as_deref(),
            ctr_path(&key.1, container.as_deref(), "resources"),
        );
        is.lines = lines_of(&g);
        (is.first_seen, is.last_seen) = times(&g);
        is.title = if resources.is_empty() {
            format!(
                "{count} pod{} of {what} evicted",
                if count == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{count} pod{} of {what} evicted: node low on {}",
                if count == 1 { "" } else { "s" },
                resources.join(", ")
            )
        };
        let mut summary = format!(
            "The kubelet evicted {} because {} ran low on {res_text}.",
            if g.pods.is_empty() {
                let mut names: Vec<&str> =
                    g.events.iter().map(|e| e.object_name.as_str()).collect();
                names.dedup();
                names.join(", ")
            } else {
                pods_phrase(&g.pods)
            },
            if nodes.is_empty() {
                "the node".to_string()
            } else {
                format!("node {}", nodes.join(", "))
            }
        );
        for (c, usage, request) in usages.iter().take(3) {
            summary.push_str(&format!(
                " Container {c} was using {usage} with a request of {request}."
            ));
        }
        let limits_note = if zero_request || best_effort {
            "It had no requests (QoS BestEffort or a zero request), so under node pressure it is the first pod the kubelet picks: pods are evicted in order of usage above their request, and with no request all of their usage counts."
        } else if no_limits_known {
            "Its containers have no memory limit, so nothing capped them before the node itself ran out; the kubelet then evicts the pods that exceed their requests the most."
        } else {
            "Pods that use more than they request are evicted first; requests and limits that match real usage, and a LimitRange for pods that set none, keep a node from tipping over."
        };
        summary.push(' ');
        summary.push_str(limits_note);
        if !node_events.is_empty() {
            summary.push_str(&format!(
                " {}: {}.",
                if nodes.is_empty() {
                    "Node pressure in the input"
                } else {
                    "The node reported"
                },
                node_events
                    .iter()
                    .take(2)
                    .map(|e| format!("{} {} ({})", e.object_name, e.reason, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        is.lines.extend(node_events.iter().map(|e| e.line));
        is.summary = summary;
        is.root_cause = Some(if zero_request || best_effort || no_limits_known {
            format!("Node {res_text} pressure, with pods that declare no requests/limits (no LimitRange/ResourceQuota in the namespace to default them).")
        } else {
            format!("Node {res_text} pressure; these pods used more than they requested.")
        });
        let mem = resources.iter().any(|r| r == "memory") || resources.is_empty();
        is.hotfix = vec![
            format!("Clear the Evicted pods (they keep no resources, only clutter): `kubectl delete pods{} --field-selector=status.phase=Failed`.", ns_flag(ns)),
            "Give the containers requests that match real usage and a memory limit (the fragment), and a LimitRange/ResourceQuota for the namespace so pods without them get defaults.".into(),
        ];
        if resources.iter().any(|r| r == "ephemeral-storage") {
            is.hotfix.push("For disk pressure: set `resources.limits.ephemeral-storage`, write logs to stdout and big scratch data to a volume, and let image GC reclaim space (`crictl rmi --prune`).".into());
        }
        is.long_term = vec![
            "Right-size requests from observed usage (VPA recommendations) so the scheduler does not overpack nodes.".into(),
            "Alert on node MemoryPressure/DiskPressure conditions and on the kubelet's eviction events before pods go.".into(),
            "Reserve resources for the system (`--system-reserved`, `--kube-reserved`) and tune eviction thresholds.".into(),
        ];
        is.commands = g.pods.iter().take(1).map(|p| describe_cmd(p)).collect();
        for n in nodes.iter().take(2) {
            is.commands
                .push(format!("kubectl describe node {n} | grep -A 8 Conditions"));
        }
        is.commands.push("kubectl top node".into());
        is.commands
            .push(format!("kubectl top pod{} --containers", ns_flag(ns)));
        is.commands.push(format!(
            "kubectl get events{} --field-selector reason=Evicted",
            ns_flag(ns)
        ));
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |~ \"Evicted|The node was low on resource\"", ns_q(ns)),
            kql: format!("KubeEvents | where Namespace == \"{}\" and Reason == \"Evicted\" | project TimeGenerated, Name, Computer, Message", ns_q(ns)),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.reason\"=\"Evicted\" \"object.involvedObject.namespace\"=\"{}\"", ns_q(ns)),
        };
        // Fragment: requests at least the usage seen at eviction, a memory limit, and namespace defaults.
        let usage_bytes = usages.iter().filter_map(|u| mem_bytes(&u.1)).max();
        let req = tidy_mem(usage_bytes.unwrap_or(256 << 20).max(128 << 20));
        let lim = tidy_mem(req + req / 2);
        let cname = container.clone().unwrap_or_else(|| "<container>".into());
        let mut fix = if mem {
            container_patch(
                &key.1,
                &key.2,
                ns,
                vec![(
                    cname,
                    vec![("resources", resources_node(req, lim, Some("100m")))],
                )],
                vec![],
            )
        } else {
            container_patch(
                &key.1,
                &key.2,
                ns,
                vec![(
                    cname,
                    vec![(
                        "resources",
                        Node::map(vec![
                            (
                                "requests",
                                Node::map(vec![("ephemeral-storage", Node::str("1Gi"))]),
                            ),
                            (
                                "limits",
                                Node::map(vec![("ephemeral-storage", Node::str("2Gi"))]),
                            ),
                        ]),
                    )],
                )],
                vec![],
            )
        };
        fix.push_str(&limitrange_yaml(ns));
        is.fix_text = Some(fix);
        out.push(is);
    }
}

// ---------------------------------------------------------------- OOMKilled

fn is_oom(c: &CtrRec) -> bool {
    c.reason.as_deref() == Some("OOMKilled") || c.last_reason.as_deref() == Some("OOMKilled")
}

fn oomkilled(st: &ClusterState, out: &mut Vec<Issue>) {
    let groups = group_by(
        st,
        |p| p.status == "OOMKilled" || p.containers.iter().any(is_oom),
        |e| e.reason == "OOMKilled" || (e.reason == "Killing" && e.message.contains("OOM")),
    );
    for (key, g) in groups {
        let ns = key.0.as_deref();
        let container = single_container(&g, is_oom);
        let what = owner_label(&key.1, &key.2, ns);
        let ctrs: Vec<&CtrRec> = g
            .pods
            .iter()
            .flat_map(|p| p.containers.iter().filter(|c| is_oom(c)))
            .collect();
        let restarts: u64 = g
            .pods
            .iter()
            .map(|p| p.restarts.unwrap_or(0))
            .max()
            .unwrap_or(0);
        let limit = ctrs.iter().find_map(|c| c.lim_mem.clone());
        let mut is = base_issue(
            "k8s_oomkilled",
            Severity::High,
            &key,
            container.as_deref(),
            ctr_path(&key.1, container.as_deref(), "resources.limits.memory"),
        );
        is.lines = lines_of(&g);
        (is.first_seen, is.last_seen) = times(&g);
        is.title = format!(
            "{} of {what} OOMKilled{}",
            match &container {
                Some(c) => format!("Container {c}"),
                None => "Pods".into(),
            },
            if restarts > 0 {
                format!(" ({restarts} restarts)")
            } else {
                String::new()
            }
        );
        is.summary = format!(
            "The kernel killed {} (exit code 137, reason OOMKilled) because it used more memory than its limit{}. \
             Every kill drops in-flight requests and, repeated, ends in CrashLoopBackOff.",
            if g.pods.is_empty() { key.2.clone() } else { pods_phrase(&g.pods) },
            match &limit {
                Some(l) => format!(" of {l}"),
                None => " (or, with no limit, the node ran out)".into(),
            }
        );
        is.root_cause = Some(match &limit {
            Some(l) => format!("Memory use above the {l} limit: a limit set below the working set, a leak, or a runtime (JVM, Node.js) sized for the node rather than the container."),
            None => "No memory limit: the container grew until the node's memory ran out.".into(),
        });
        let new_limit = limit
            .as_deref()
            .and_then(mem_bytes)
            .map(|b| tidy_mem(b * 2))
            .unwrap_or(512 << 20);
        is.hotfix = vec![
            format!("Raise the memory limit (the fragment: {}), keeping the request close to it.", fmt_mem(new_limit)),
            "For JVMs set -XX:MaxRAMPercentage=75 (and Node.js --max-old-space-size) so the heap fits the limit.".into(),
        ];
        is.long_term = vec![
            "Measure the working set (`container_memory_working_set_bytes`) over a week and set the limit above its peak.".into(),
            "If usage grows without bound, profile for a leak (heap dump before the kill).".into(),
        ];
        is.commands = g.pods.iter().take(1).map(|p| describe_cmd(p)).collect();
        if let Some(p) = g.pods.first() {
            is.commands.push(format!(
                "kubectl logs {}{}{} --previous",
                p.name,
                ns_flag(ns),
                container
                    .as_deref()
                    .map(|c| format!(" -c {c}"))
                    .unwrap_or_default()
            ));
        }
        is.commands
            .push(format!("kubectl top pod{} --containers", ns_flag(ns)));
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |~ \"OOMKilled|Out of memory|memory cgroup out of memory\"", ns_q(ns)),
            kql: format!("KubePodInventory | where Namespace == \"{}\" and ContainerLastStatus has \"OOMKilled\" | summarize kills=count() by Name, ContainerName", ns_q(ns)),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.involvedObject.namespace\"=\"{}\" (\"OOMKilled\" OR \"OOMKilling\")", ns_q(ns)),
        };
        let cname = container.clone().unwrap_or_else(|| "<container>".into());
        let req = (new_limit / 2).max(128 << 20);
        is.fix_text = Some(container_patch(
            &key.1,
            &key.2,
            ns,
            vec![(
                cname,
                vec![("resources", resources_node(tidy_mem(req), new_limit, None))],
            )],
            vec![],
        ));
        out.push(is);
    }
    // System OOM on nodes (kernel OOM killer outside any cgroup limit).
    let mut nodes: BTreeMap<String, Vec<&EventRec>> = BTreeMap::new();
    for e in &st.events {
        if e.object_kind == "Node" && (e.reason == "OOMKilling" || e.reason == "SystemOOM") {
            nodes.entry(e.object_name.clone()).or_default().push(e);
        }
    }
    for (node, evs) in nodes {
        let key: Key = (None, "Node".into(), node.clone());
        let mut is = base_issue(
            "k8s_oomkilled",
            Severity::High,
            &key,
            None,
            "status.conditions[type=MemoryPressure]".into(),
        );
        is.lines = evs.iter().map(|e| e.line).collect();
        let procs: Vec<String> = evs
            .iter()
            .filter_map(|e| {
                e.message
                    .split('(')
                    .nth(1)
                    .and_then(|s| s.split(')').next())
                    .map(str::to_string)
            })
            .collect();
        is.title = format!("Node {node} ran out of memory: the kernel killed processes");
        is.summary = format!(
            "The node's kernel OOM killer fired {} time{}{}. A system OOM means pods together used more memory than the \
             node has: their limits add up to more than it can give, or pods without limits grew.",
            evs.iter().map(|e| e.count).sum::<u64>(),
            if evs.len() == 1 { "" } else { "s" },
            if procs.is_empty() { String::new() } else { format!(" (killed: {})", procs.join(", ")) }
        );
        is.hotfix = vec![
            "Find the pods on the node without memory limits and give them limits (a LimitRange in each namespace).".into(),
            "Cordon and drain the node if it keeps killing: `kubectl cordon` / `kubectl drain --ignore-daemonsets`.".into(),
        ];
        is.long_term = vec!["Reserve memory for the system (`--system-reserved`, `--kube-reserved`) and set a hard eviction threshold above the OOM point.".into()];
        is.commands = vec![
            format!("kubectl describe node {node}"),
            "kubectl top node".into(),
            format!("kubectl get pods -A --field-selector spec.nodeName={node} -o wide"),
        ];
        is.queries = Queries {
            logql: format!("{{node=\"{node}\"}} |~ \"OOMKilling|Out of memory: Killed process\""),
            kql: format!("KubeEvents | where ObjectKind == \"Node\" and Name == \"{node}\" and Reason == \"OOMKilling\""),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.reason\"=\"OOMKilling\" \"object.involvedObject.name\"=\"{node}\""),
        };
        is.fix_text = Some(format!("# Give every namespace on node {node} defaults, so no pod runs without a memory limit:\n{}", limitrange_yaml(None)));
        out.push(is);
    }
}

// ------------------------------------------------------------- CrashLoop

fn exit_meaning(code: i64) -> &'static str {
    match code {
        0 => "exit code 0: the main process finished; a long-running container must not return (wrong command, or a Job run as a Deployment)",
        1 => "exit code 1: the application failed (its previous logs say why: configuration, a missing dependency, an exception at start-up)",
        2 => "exit code 2: a usage or shell error in the command or arguments",
        126 => "exit code 126: the command is not executable (permissions, or a read-only filesystem)",
        127 => "exit code 127: the command was not found in the image",
        128..=255 => match code - 128 {
            9 => "exit code 137 (SIGKILL): killed by the OOM killer or by the kubelet after failed liveness probes",
            11 => "exit code 139 (SIGSEGV): the process crashed",
            15 => "exit code 143 (SIGTERM): the process was told to stop, often by a failing liveness probe",
            6 => "exit code 134 (SIGABRT): the process aborted",
            _ => "terminated by a signal",
        },
        _ => "the application exited with an error",
    }
}

fn crash_loop(st: &ClusterState, out: &mut Vec<Issue>) {
    let groups = group_by(
        st,
        |p| {
            p.status.contains("CrashLoopBackOff")
                || p.containers
                    .iter()
                    .any(|c| c.reason.as_deref() == Some("CrashLoopBackOff"))
        },
        |e| e.reason == "BackOff" && e.message.contains("restarting failed container"),
    );
    let liveness_failed: Vec<&EventRec> = st
        .events
        .iter()
        .filter(|e| {
            (e.reason == "Unhealthy" && e.message.starts_with("Liveness"))
                || (e.reason == "Killing" && e.message.contains("liveness"))
        })
        .collect();
    for (key, g) in groups {
        let ns = key.0.as_deref();
        let crashing =
            |c: &CtrRec| c.reason.as_deref() == Some("CrashLoopBackOff") || c.restarts > 0;
        let container = single_container(&g, crashing).or_else(|| {
            // "Back-off restarting failed container app in pod web-…"
            g.events.iter().find_map(|e| {
                e.message
                    .split("failed container ")
                    .nth(1)
                    .and_then(|s| s.split_whitespace().next())
                    .map(str::to_string)
            })
        });
        let restarts: u64 = g.pods.iter().filter_map(|p| p.restarts).max().unwrap_or(0);
        let total: u64 = g.pods.iter().filter_map(|p| p.restarts).sum();
        let last = g
            .pods
            .iter()
            .flat_map(|p| p.containers.iter())
            .find(|c| c.last_exit_code.is_some() || c.last_reason.is_some());
        let oom = g.pods.iter().flat_map(|p| p.containers.iter()).any(is_oom);
        let pod_names: Vec<&str> = g
            .pods
            .iter()
            .map(|p| p.name.as_str())
            .chain(g.events.iter().map(|e| e.object_name.as_str()))
            .collect();
        let probe_kills: Vec<&&EventRec> = liveness_failed
            .iter()
            .filter(|e| pod_names.contains(&e.object_name.as_str()) && e.namespace.as_deref() == ns)
            .collect();
        let what = owner_label(&key.1, &key.2, ns);
        let sev = if restarts >= 50 {
            Severity::Critical
        } else {
            Severity::High
        };
        let mut is = base_issue(
            "k8s_crash_loop",
            sev,
            &key,
            container.as_deref(),
            ctr_path(&key.1, container.as_deref(), ""),
        );
        is.lines = lines_of(&g);
        is.lines.extend(probe_kills.iter().map(|e| e.line));
        (is.first_seen, is.last_seen) = times(&g);
        is.title = format!(
            "{} of {what} in CrashLoopBackOff{}",
            match &container {
                Some(c) => format!("Container {c}"),
                None => format!(
                    "{} pod{}",
                    g.pods.len().max(1),
                    if g.pods.len() > 1 { "s" } else { "" }
                ),
            },
            if restarts > 0 {
                format!(
                    " ({restarts} restarts{})",
                    if g.pods.len() > 1 {
                        format!(", {total} in all")
                    } else {
                        String::new()
                    }
                )
            } else {
                String::new()
            }
        );
        let mut summary = format!(
            "{} keeps exiting and Kubernetes restarts it with a growing back-off (up to 5 minutes), so it is down most of the time.",
            if g.pods.is_empty() { key.2.clone() } else { pods_phrase(&g.pods) }
        );
        if let Some(c) = last {
            if let Some(code) = c.last_exit_code {
                summary.push_str(&format!(
                    " Last termination: {}{}.",
                    c.last_reason
                        .as_deref()
                        .map(|r| format!("{r}, "))
                        .unwrap_or_default(),
                    exit_meaning(code)
                ));
            }
        }
        is.root_cause = if oom {
            Some("The container is OOMKilled on each run (see the k8s_oomkilled finding): the memory limit is below what it needs.".into())
        } else if !probe_kills.is_empty() {
            Some(format!(
                "A failing liveness probe kills the container ({}).",
                probe_kills[0].message
            ))
        } else {
            last.and_then(|c| c.last_exit_code)
                .map(|code| exit_meaning(code).to_string())
        };
        is.summary = summary;
        let p0 = g
            .pods
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| pod_names.first().map(|s| s.to_string()).unwrap_or_default());
        let cflag = container
            .as_deref()
            .map(|c| format!(" -c {c}"))
            .unwrap_or_default();
        is.hotfix = vec![
            format!("Read why the last run died: `kubectl logs {p0}{}{cflag} --previous`.", ns_flag(ns)),
            "Fix the cause the logs show (configuration, a missing Secret/ConfigMap key, an unreachable dependency); roll back with `kubectl rollout undo` if a new version started it.".into(),
        ];
        if !probe_kills.is_empty() {
            is.hotfix.push("The liveness probe kills it: add a startupProbe and loosen the liveness timeout (the fragment).".into());
        }
        is.long_term = vec![
            "Make start-up failures explicit: log the cause and exit non-zero once, not in a loop; check dependencies in readiness, not liveness.".into(),
            "Alert on `kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}`.".into(),
        ];
        is.commands = g.pods.iter().take(1).map(|p| describe_cmd(p)).collect();
        is.commands.push(format!(
            "kubectl logs {p0}{}{cflag} --previous",
            ns_flag(ns)
        ));
        is.commands.push(format!(
            "kubectl get events{} --field-selector involvedObject.name={p0}",
            ns_flag(ns)
        ));
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |~ \"Back-off restarting failed container|CrashLoopBackOff\"", ns_q(ns)),
            kql: format!("KubePodInventory | where Namespace == \"{}\" and ContainerStatusReason == \"CrashLoopBackOff\" | summarize max(ContainerRestartCount) by Name, ContainerName", ns_q(ns)),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.reason\"=\"BackOff\" \"object.involvedObject.namespace\"=\"{}\"", ns_q(ns)),
        };
        let cname = container.clone().unwrap_or_else(|| "<container>".into());
        is.fix_text = Some(if !probe_kills.is_empty() {
            let port = probe_kills
                .iter()
                .find_map(|e| parse_probe_target(&e.message).0)
                .unwrap_or(8080);
            container_patch(
                &key.1,
                &key.2,
                ns,
                vec![(
                    cname,
                    vec![
                        ("startupProbe", startup_probe(port, None)),
                        (
                            "livenessProbe",
                            Node::map(vec![
                                ("timeoutSeconds", Node::int(5)),
                                ("failureThreshold", Node::int(3)),
                            ]),
                        ),
                    ],
                )],
                vec![],
            )
        } else if oom {
            let limit = g
                .pods
                .iter()
                .flat_map(|p| p.containers.iter())
                .find_map(|c| c.lim_mem.as_deref().and_then(mem_bytes));
            let new_limit = limit.map(|b| tidy_mem(b * 2)).unwrap_or(512 << 20);
            container_patch(
                &key.1,
                &key.2,
                ns,
                vec![(
                    cname,
                    vec![(
                        "resources",
                        resources_node(tidy_mem((new_limit / 2).max(128 << 20)), new_limit, None),
                    )],
                )],
                vec![],
            )
        } else {
            format!(
                "# A crash loop is the application exiting; no manifest change fixes its cause.\n# Read the previous run's logs first:\n#   kubectl logs {p0}{}{cflag} --previous\n# Then roll back if a new image started it:\n#   kubectl rollout undo {} {}{}\n",
                ns_flag(ns),
                key.1.to_ascii_lowercase(),
                key.2,
                ns_flag(ns)
            )
        });
        out.push(is);
    }
}

// ------------------------------------------------------------- Image pull

const PULL_REASONS: &[&str] = &[
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "ErrImageNeverPull",
    "RegistryUnavailable",
];

fn image_pull(st: &ClusterState, out: &mut Vec<Issue>) {
    let groups = group_by(
        st,
        |p| {
            PULL_REASONS.iter().any(|r| p.status.contains(r))
                || p.containers.iter().any(|c| {
                    c.reason
                        .as_deref()
                        .map(|r| PULL_REASONS.contains(&r))
                        .unwrap_or(false)
                })
        },
        |e| {
            (e.reason == "Failed"
                && (e.message.contains("pull image")
                    || e.message.contains("ImagePull")
                    || e.message.contains("ErrImagePull")))
                || (e.reason == "BackOff" && e.message.contains("pulling image"))
                || e.reason == "InspectFailed"
        },
    );
    for (key, g) in groups {
        let ns = key.0.as_deref();
        let messages: Vec<&str> = g.events.iter().map(|e| e.message.as_str()).collect();
        let all = messages.join("\n").to_ascii_lowercase();
        let image = messages
            .iter()
            .find_map(|m| {
                m.split("image \"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .map(str::to_string)
            })
            .or_else(|| {
                g.pods
                    .iter()
                    .flat_map(|p| p.containers.iter())
                    .find(|c| {
                        c.reason
                            .as_deref()
                            .map(|r| PULL_REASONS.contains(&r))
                            .unwrap_or(false)
                    })
                    .and_then(|c| c.image.clone())
            });
        let cause = if all.contains("unauthorized")
            || all.contains("authentication required")
            || all.contains("403")
            || all.contains("denied")
            || all.contains("no basic auth credentials")
        {
            "auth"
        } else if all.contains("not found")
            || all.contains("manifest unknown")
            || all.contains("does not exist")
            || all.contains("404")
        {
            "missing"
        } else if all.contains("toomanyrequests")
            || all.contains("rate limit")
            || all.contains("429")
        {
            "rate"
        } else if all.contains("no such host")
            || all.contains("i/o timeout")
            || all.contains("connection refused")
            || all.contains("tls")
            || all.contains("deadline exceeded")
        {
            "network"
        } else if g.pods.iter().any(|p| p.status.contains("InvalidImageName"))
            || all.contains("invalid reference format")
        {
            "invalid"
        } else {
            "unknown"
        };
        let container = single_container(&g, |c| {
            c.reason
                .as_deref()
                .map(|r| PULL_REASONS.contains(&r))
                .unwrap_or(false)
        });
        let what = owner_label(&key.1, &key.2, ns);
        let img = image.clone().unwrap_or_else(|| "its image".into());
        let mut is = base_issue(
            "k8s_image_pull",
            Severity::High,
            &key,
            container.as_deref(),
            ctr_path(&key.1, container.as_deref(), "image"),
        );
        is.lines = lines_of(&g);
        (is.first_seen, is.last_seen) = times(&g);
        let cause_text = match cause {
            "auth" => "the registry refused the credentials (private image without imagePullSecrets, or an expired token)",
            "missing" => "the image or tag does not exist in the registry (typo, a tag never pushed, or a deleted tag)",
            "rate" => "the registry rate-limited the pulls (Docker Hub's anonymous limit)",
            "network" => "the node cannot reach the registry (DNS, proxy, firewall or TLS trust)",
            "invalid" => "the image reference is malformed",
            _ => "the pull failed (the events have the registry's answer)",
        };
        is.title = format!(
            "{what} cannot pull {img}: {}",
            match cause {
                "auth" => "unauthorized",
                "missing" => "image not found",
                "rate" => "rate-limited",
                "network" => "registry unreachable",
                "invalid" => "invalid image name",
                _ => "pull failing",
            }
        );
        is.summary = format!(
            "{} {} waiting in ImagePullBackOff: {cause_text}. Nothing runs until the pull succeeds; a rollout that hits this stalls with the old pods still serving, a new deployment serves nothing.",
            if g.pods.is_empty() { key.2.clone() } else { pods_phrase(&g.pods) },
            if g.pods.len() > 1 { "are" } else { "is" }
        );
        is.root_cause = Some(cause_text.to_string());
        is.hotfix = match cause {
            "auth" => vec![
                format!("Create a pull secret and reference it (the fragment): `kubectl create secret docker-registry regcred{} --docker-server=<registry> --docker-username=<user> --docker-password=<token>`.", ns_flag(ns)),
            ],
            "missing" => vec![format!("Check the tag exists (`crane ls {}` or the registry UI) and set an existing one; roll back with `kubectl rollout undo` if a bad tag was deployed.", image.as_deref().map(|i| crate::manifest::image_tag(i).0).unwrap_or_else(|| "<repo>".into()))],
            "rate" => vec!["Authenticate pulls (imagePullSecrets with a Docker Hub account) or mirror the image to your own registry.".into()],
            "network" => vec!["From the node, test `crictl pull <image>` and DNS for the registry; check proxy settings and CA trust of the container runtime.".into()],
            _ => vec!["Read the Failed events for the registry's exact answer: `kubectl describe pod`.".into()],
        };
        is.long_term = vec![
            "Pin images by tag or digest that CI verified was pushed; mirror third-party images to a registry you control.".into(),
            "Attach pull secrets to the namespace's ServiceAccount instead of each workload.".into(),
        ];
        is.commands = g.pods.iter().take(1).map(|p| describe_cmd(p)).collect();
        is.commands.push(format!(
            "kubectl get events{} --field-selector reason=Failed",
            ns_flag(ns)
        ));
        is.commands.push(format!(
            "kubectl get secret{} --field-selector type=kubernetes.io/dockerconfigjson",
            ns_flag(ns)
        ));
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |~ \"Failed to pull image|ImagePullBackOff|ErrImagePull\"", ns_q(ns)),
            kql: format!("KubeEvents | where Namespace == \"{}\" and Message has \"Failed to pull image\" | project TimeGenerated, Name, Message", ns_q(ns)),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.involvedObject.namespace\"=\"{}\" \"Failed to pull image\"", ns_q(ns)),
        };
        let cname = container.clone().unwrap_or_else(|| "<container>".into());
        is.fix_text = Some(match cause {
            "auth" | "rate" => container_patch(
                &key.1,
                &key.2,
                ns,
                vec![],
                vec![(
                    "imagePullSecrets",
                    Node::seq(vec![Node::map(vec![("name", Node::str("regcred"))])]),
                )],
            ),
            _ => {
                let repo = image
                    .as_deref()
                    .map(|i| crate::manifest::image_tag(i).0)
                    .unwrap_or_else(|| "<repo>".into());
                format!(
                    "{}# set a tag that exists in the registry\n",
                    container_patch(
                        &key.1,
                        &key.2,
                        ns,
                        vec![(
                            cname,
                            vec![("image", Node::str(format!("{repo}:<existing-tag>")))]
                        )],
                        vec![]
                    )
                )
            }
        });
        out.push(is);
    }
}

// ----------------------------------------------------------------- Pending

/// The reasons in "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}. preemption: …".
fn scheduling_reasons(msg: &str) -> Vec<String> {
    let body = msg.split("preemption:").next().unwrap_or(msg);
    let body = body
        .split_once("available:")
        .map(|(_, b)| b)
        .unwrap_or(body);
    body.split(',')
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            // Drop the leading count: "2 Insufficient cpu" → "Insufficient cpu".
            let mut it = s.splitn(2, ' ');
            let first = it.next().unwrap_or("");
            if first.chars().all(|c| c.is_ascii_digit()) {
                it.next().unwrap_or("").to_string()
            } else {
                s.to_string()
            }
        })
        .collect()
}

fn pending(st: &ClusterState, out: &mut Vec<Issue>) {
    let groups = group_by(
        st,
        |p| p.status == "Pending" || p.unschedulable.is_some(),
        |e| e.reason == "FailedScheduling",
    );
    for (key, g) in groups {
        let ns = key.0.as_deref();
        let messages: Vec<&str> = g
            .events
            .iter()
            .map(|e| e.message.as_str())
            .chain(g.pods.iter().filter_map(|p| p.unschedulable.as_deref()))
            .filter(|m| !m.is_empty())
            .collect();
        let mut reasons: Vec<String> = messages
            .iter()
            .flat_map(|m| scheduling_reasons(m))
            .collect();
        reasons.sort();
        reasons.dedup();
        let insufficient: Vec<String> = reasons
            .iter()
            .filter_map(|r| r.strip_prefix("Insufficient ").map(str::to_string))
            .collect();
        let taints: Vec<String> = reasons
            .iter()
            .filter(|r| r.contains("taint"))
            .filter_map(|r| {
                r.split('{')
                    .nth(1)
                    .and_then(|s| s.split('}').next())
                    .map(str::to_string)
            })
            .collect();
        let unbound_pvc = reasons
            .iter()
            .any(|r| r.contains("unbound") && r.contains("PersistentVolumeClaim"));
        let selector = reasons.iter().any(|r| {
            r.contains("node affinity") || r.contains("node selector") || r.contains("nodeSelector")
        });
        let what = owner_label(&key.1, &key.2, ns);
        let sev = if !insufficient.is_empty() {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut is = base_issue(
            "k8s_pending",
            sev,
            &key,
            None,
            format!(
                "{}.containers[*].resources.requests",
                pod_spec_prefix(&key.1).join(".")
            ),
        );
        is.lines = lines_of(&g);
        (is.first_seen, is.last_seen) = times(&g);
        let headline = if !insufficient.is_empty() {
            format!("insufficient {}", insufficient.join(", "))
        } else if !taints.is_empty() {
            "untolerated node taints".into()
        } else if unbound_pvc {
            "unbound PersistentVolumeClaim".into()
        } else if selector {
            "no node matches its node selector/affinity".into()
        } else if reasons.is_empty() {
            "not scheduled".into()
        } else {
            reasons[0].clone()
        };
        is.title = format!("{what} stuck Pending: {headline}");
        is.summary = format!(
            "{} cannot be scheduled{}. A Pending pod serves nothing; a rollout waiting on it does not finish.",
            if g.pods.is_empty() { key.2.clone() } else { pods_phrase(&g.pods) },
            if reasons.is_empty() {
                " (no FailedScheduling event in the input; `kubectl describe pod` shows why)".to_string()
            } else {
                format!(": the scheduler says {}", reasons.join("; "))
            }
        );
        if !insufficient.is_empty() {
            is.root_cause = Some(format!(
                "No node has enough free {} for the pod's requests.",
                insufficient.join("/")
            ));
        }
        is.hotfix = Vec::new();
        if !insufficient.is_empty() {
            is.hotfix.push("Lower the pod's requests to what it really uses (the fragment halves them as a start; check `kubectl top`), or add nodes / let the cluster autoscaler add them.".into());
            is.hotfix.push("Look for pods that reserve much more than they use: `kubectl describe nodes | grep -A 8 'Allocated resources'`.".into());
        }
        if !taints.is_empty() {
            is.hotfix.push(format!("Either schedule it elsewhere, or tolerate the taint ({}) if the pod belongs on those nodes (the fragment).", taints.join(", ")));
        }
        if unbound_pvc {
            is.hotfix.push("The PVC has no volume: check its StorageClass exists and can provision (`kubectl get pvc,storageclass`).".into());
        }
        if selector {
            is.hotfix.push("No node carries the labels the pod selects: fix the nodeSelector/affinity or label a node.".into());
        }
        if is.hotfix.is_empty() {
            is.hotfix
                .push("Read the FailedScheduling event: `kubectl describe pod`.".into());
        }
        is.long_term = vec![
            "Size requests from usage; run the cluster autoscaler with headroom; alert on pods Pending for more than 5 minutes.".into(),
        ];
        is.commands = g.pods.iter().take(1).map(|p| describe_cmd(p)).collect();
        is.commands.push(format!(
            "kubectl get events{} --field-selector reason=FailedScheduling",
            ns_flag(ns)
        ));
        is.commands
            .push("kubectl describe nodes | grep -A 8 'Allocated resources'".into());
        is.commands.push(
            "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints".into(),
        );
        is.queries = Queries {
            logql: format!("{{namespace=\"{}\"}} |= \"FailedScheduling\"", ns_q(ns)),
            kql: format!("KubeEvents | where Namespace == \"{}\" and Reason == \"FailedScheduling\" | project TimeGenerated, Name, Message", ns_q(ns)),
            spl: format!("index=* sourcetype=\"kube:object:events\" \"object.reason\"=\"FailedScheduling\" \"object.involvedObject.namespace\"=\"{}\"", ns_q(ns)),
        };
        let mut pod_fields = Vec::new();
        let mut containers = Vec::new();
        if !taints.is_empty() {
            let tolerations = taints
                .iter()
                .map(|t| {
                    let (k, v) = t
                        .split_once(':')
                        .map(|(k, v)| (k.trim(), v.trim()))
                        .unwrap_or((t.trim(), ""));
                    let mut m = Node::map(vec![("key", Node::str(k))]);
                    if v.is_empty() {
                        m.set("operator", Node::str("Exists"));
                    } else {
                        m.set("operator", Node::str("Equal"));
                        m.set("value", Node::str(v));
                    }
                    m
                })
                .collect();
            pod_fields.push(("tolerations", Node::seq(tolerations)));
        }
        if !insufficient.is_empty() {
            let c = g
                .pods
                .iter()
                .flat_map(|p| p.containers.iter())
                .find(|c| c.req_cpu.is_some() || c.req_mem.is_some());
            let mut req = Node::empty_map();
            if let Some(c) = c {
                if let Some(cpu) = c.req_cpu.as_deref().and_then(crate::quantity::cpu_millis) {
                    req.set(
                        "cpu",
                        Node::str(crate::quantity::fmt_cpu(crate::quantity::tidy_cpu(cpu / 2))),
                    );
                }
                if let Some(m) = c.req_mem.as_deref().and_then(mem_bytes) {
                    req.set("memory", Node::str(fmt_mem(tidy_mem(m / 2))));
                }
                containers.push((
                    c.name.clone(),
                    vec![("resources", Node::map(vec![("requests", req)]))],
                ));
            } else {
                for r in &insufficient {
                    let v = if r == "cpu" {
                        "250m"
                    } else if r == "memory" {
                        "256Mi"
                    } else {
                        continue;
                    };
                    req.set(r, Node::str(v));
                }
                containers.push((
                    "<container>".into(),
                    vec![("resources", Node::map(vec![("requests", req)]))],
                ));
            }
        }
        is.fix_text = Some(if containers.is_empty() && pod_fields.is_empty() {
            format!(
                "# Nothing in the manifest to change until the reason is known:\n#   kubectl describe pod{} | sed -n '/Events:/,$p'\n",
                g.pods.first().map(|p| format!(" {}{}", p.name, ns_flag(ns))).unwrap_or_default()
            )
        } else {
            container_patch(&key.1, &key.2, ns, containers, pod_fields)
        });
        out.push(is);
    }
}

// ---------------------------------------------------------- Probe failures

/// Port and path from `Get "http://10.1.2.3:8080/healthz": …` or `dial tcp 10.1.2.3:8080: …`.
fn parse_probe_target(msg: &str) -> (Option<i64>, Option<String>) {
    if let Some(url) = msg.split("\"http").nth(1).and_then(|s| s.split('"').next()) {
        let after = url.split("://").nth(1).unwrap_or("");
        let (hostport, path) = after
            .split_once('/')
            .map(|(h, p)| (h, format!("/{p}")))
            .unwrap_or((after, "/".into()));
        let port = hostport.rsplit(':').next().and_then(|p| p.parse().ok());
        return (port, Some(path));
    }
    if let Some(rest) = msg.split("dial tcp ").nth(1) {
        let hp = rest.split(':').take(2).collect::<Vec<_>>();
        if let Some(p) = hp.get(1).and_then(|p| p.trim().parse().ok()) {
            return (Some(p), None);
        }
    }
    (None, None)
}

fn startup_probe(port: i64, path: Option<&str>) -> Node {
    let action = match path {
        Some(p) => (
            "httpGet",
            Node::map(vec![("path", Node::str(p)), ("port", Node::int(port))]),
        ),
        None => ("tcpSocket", Node::map(vec![("port", Node::int(port))])),
    };
    Node::map(vec![
        action,
        ("periodSeconds", Node::int(10)),
        ("failureThreshold", Node::int(30)),
    ])
}

fn probe_failures(st: &ClusterState, out: &mut Vec<Issue>) {
    for (probe, kind_word) in [
        ("Liveness", "liveness"),
        ("Readiness", "readiness"),
        ("Startup", "startup"),
    ] {
        let groups = group_by(
            st,
            |_| false,
            |e| {
                (e.reason == "Unhealthy" && e.message.starts_with(&format!("{probe} probe")))
                    || (probe == "Liveness"
                        && e.reason == "Killing"
                        && e.message.contains("failed liveness probe"))
            },
        );
        for (key, g) in groups {
            let ns = key.0.as_deref();
            let count: u64 = g
                .events
                .iter()
                .filter(|e| e.reason == "Unhealthy")
                .map(|e| e.count)
                .sum();
            let kills: u64 = g
                .events
                .iter()
                .filter(|e| e.reason == "Killing")
                .map(|e| e.count)
                .sum();
            let sample = g
                .events
                .iter()
                .find(|e| e.reason == "Unhealthy")
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let lower = sample.to_ascii_lowercase();
            let cause = if lower.contains("connection refused") {
                "the port is not listening (the app is still starting, crashed, or the probe points at the wrong port)"
            } else if lower.contains("deadline exceeded") || lower.contains("timeout") {
                "the endpoint answered too slowly for timeoutSeconds (overload, GC pauses, or a health check that calls dependencies)"
            } else if lower.contains("statuscode: 5") {
                "the health endpoint returned a 5xx (the app reports itself unhealthy, often because a dependency check is in it)"
            } else if lower.contains("statuscode: 404") {
                "the probe path does not exist (404)"
            } else {
                "the probe failed (see the event message)"
            };
            let container = g.events.iter().find_map(|e| {
                e.message
                    .split("Container ")
                    .nth(1)
                    .and_then(|s| s.split_whitespace().next())
                    .map(str::to_string)
            });
            let what = owner_label(&key.1, &key.2, ns);
            let sev = if probe == "Liveness" {
                Severity::High
            } else {
                Severity::Medium
            };
            let field = format!("{kind_word}Probe");
            let mut is = base_issue(
                "k8s_probe_failures",
                sev,
                &key,
                container.as_deref(),
                ctr_path(&key.1, container.as_deref(), &field),
            );
            is.lines = lines_of(&g);
            (is.first_seen, is.last_seen) = times(&g);
            is.title = format!(
                "{probe} probe failing for {what} ({count} failure{}{})",
                if count == 1 { "" } else { "s" },
                if kills > 0 {
                    format!(", {kills} restart{}", if kills == 1 { "" } else { "s" })
                } else {
                    String::new()
                }
            );
            is.summary = format!(
                "{probe} probe failures: {cause}. {} Example: \"{sample}\".",
                match probe {
                    "Liveness" => "Each run of failures restarts the container, dropping in-flight work; a probe that fails under load turns slowness into an outage.",
                    "Readiness" => "The pod is taken out of its Service while failing: capacity drops, and if all replicas fail the Service has no endpoints.",
                    _ => "The container is restarted before it ever starts serving.",
                }
            );
            is.root_cause = Some(cause.to_string());
            let (port, path) = parse_probe_target(&sample);
            is.hotfix = vec![
                "Check the endpoint by hand from inside the pod (`kubectl exec … -- wget -qO- localhost:PORT/PATH`).".into(),
                match probe {
                    "Liveness" => "Add a startupProbe so slow starts are not killed, raise timeoutSeconds, and keep dependency checks out of liveness (the fragment).".into(),
                    _ => format!("Raise timeoutSeconds/failureThreshold if the app is slow but healthy (the fragment); fix the app if the {kind_word} endpoint reports a real failure."),
                },
            ];
            is.long_term = vec![
                "Liveness should only test that the process can make progress; readiness may test dependencies; neither should do expensive work.".into(),
            ];
            let p0 = g
                .events
                .first()
                .map(|e| e.object_name.clone())
                .unwrap_or_default();
            is.commands = vec![
                format!("kubectl describe pod {p0}{}", ns_flag(ns)),
                format!("kubectl get events{} --field-selector reason=Unhealthy,involvedObject.name={p0}", ns_flag(ns)),
                format!("kubectl logs {p0}{} --previous", ns_flag(ns)),
            ];
            is.queries = Queries {
                logql: format!("{{namespace=\"{}\"}} |= \"{probe} probe failed\"", ns_q(ns)),
                kql: format!("KubeEvents | where Namespace == \"{}\" and Reason == \"Unhealthy\" and Message startswith \"{probe} probe failed\" | summarize count() by Name, bin(TimeGenerated, 5m)", ns_q(ns)),
                spl: format!("index=* sourcetype=\"kube:object:events\" \"object.reason\"=\"Unhealthy\" \"object.involvedObject.namespace\"=\"{}\" \"{probe} probe failed\"", ns_q(ns)),
            };
            let port = port.unwrap_or(8080);
            let action = match path.as_deref() {
                Some(p) => (
                    "httpGet",
                    Node::map(vec![("path", Node::str(p)), ("port", Node::int(port))]),
                ),
                None => ("tcpSocket", Node::map(vec![("port", Node::int(port))])),
            };
            let tuned = Node::map(vec![
                action,
                ("periodSeconds", Node::int(10)),
                ("timeoutSeconds", Node::int(5)),
                ("failureThreshold", Node::int(3)),
            ]);
            let mut fields = vec![(field_static(kind_word), tuned)];
            if probe == "Liveness" {
                fields.push(("startupProbe", startup_probe(port, path.as_deref())));
            }
            let cname = container.clone().unwrap_or_else(|| "<container>".into());
            is.fix_text = Some(container_patch(
                &key.1,
                &key.2,
                ns,
                vec![(cname, fields)],
                vec![],
            ));
            out.push(is);
        }
    }
}

fn field_static(kind_word: &str) -> &'static str {
    match kind_word {
        "liveness" => "livenessProbe",
        "readiness" => "readinessProbe",
        _ => "startupProbe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_messages() {
        let i = parse_eviction("The node was low on resource: memory. Threshold quantity: 100Mi, available: 48Mi. Container app was using 1210960Ki, request is 0, has larger consumption of memory.");
        assert_eq!(i.resource.as_deref(), Some("memory"));
        assert_eq!(
            i.usages,
            vec![("app".to_string(), "1210960Ki".to_string(), "0".to_string())]
        );
        let i = parse_eviction("Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. The node was low on resource: ephemeral-storage.");
        assert_eq!(i.resource.as_deref(), Some("ephemeral-storage"));
    }

    #[test]
    fn scheduling_message() {
        let r = scheduling_reasons("0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.");
        assert_eq!(
            r,
            vec![
                "Insufficient cpu".to_string(),
                "node(s) had untolerated taint {dedicated: gpu}".to_string()
            ]
        );
    }

    #[test]
    fn probe_targets() {
        assert_eq!(parse_probe_target("Liveness probe failed: Get \"http://10.244.1.7:8080/healthz\": dial tcp 10.244.1.7:8080: connect: connection refused"), (Some(8080), Some("/healthz".into())));
        assert_eq!(
            parse_probe_target(
                "Readiness probe failed: dial tcp 10.1.0.5:6379: connect: connection refused"
            ),
            (Some(6379), None)
        );
    }
}
