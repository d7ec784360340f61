//! Cluster state as kubectl prints it: `kubectl get pods [-A] [-o wide]`, `kubectl get events [-A] [-o wide]`,
//! `kubectl describe pod`, and the same objects as `-o yaml/json` (Pods with `status`, Events). Text sections may be
//! pasted together in one input; each is found by its header.

use crate::load::Obj;
use crate::node::Node;

#[derive(Debug, Clone, Default)]
pub struct CtrRec {
    pub name: String,
    pub image: Option<String>,
    /// Waiting / Running / Terminated.
    pub state: Option<String>,
    pub reason: Option<String>,
    pub exit_code: Option<i64>,
    pub last_reason: Option<String>,
    pub last_exit_code: Option<i64>,
    pub last_finished: Option<String>,
    pub restarts: u64,
    pub req_cpu: Option<String>,
    pub req_mem: Option<String>,
    pub lim_cpu: Option<String>,
    pub lim_mem: Option<String>,
    /// `kubectl describe` probe lines, e.g. `http-get http://:8080/healthz delay=0s timeout=1s period=10s …`.
    pub liveness: Option<String>,
    pub readiness: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PodRec {
    pub namespace: Option<String>,
    pub name: String,
    /// The STATUS column as kubectl prints it (Running, Evicted, OOMKilled, CrashLoopBackOff, Pending, …).
    pub status: String,
    pub ready: Option<String>,
    pub restarts: Option<u64>,
    pub age: Option<String>,
    pub node: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub qos: Option<String>,
    pub containers: Vec<CtrRec>,
    pub line: u64,
    /// Message of a PodScheduled=False condition.
    pub unschedulable: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EventRec {
    pub namespace: Option<String>,
    pub timestamp: Option<String>,
    pub reason: String,
    pub object_kind: String,
    pub object_name: String,
    pub message: String,
    pub count: u64,
    pub line: u64,
}

#[derive(Debug, Default)]
pub struct ClusterState {
    pub pods: Vec<PodRec>,
    pub events: Vec<EventRec>,
    /// Which kinds of kubectl text were found.
    pub saw_pods_table: bool,
    pub saw_events_table: bool,
    pub saw_describe: bool,
}

// ------------------------------------------------------------ header sniffing

fn header_cols(line: &str) -> Vec<(usize, String)> {
    // Columns are separated by two or more spaces (or a tab); single spaces belong to names like "LAST SEEN".
    let chars: Vec<char> = line.chars().collect();
    let mut cols = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        let mut end = i;
        while i < chars.len() {
            if chars[i] == '\t'
                || (chars[i] == ' '
                    && (i + 1 >= chars.len() || chars[i + 1] == ' ' || chars[i + 1] == '\t'))
            {
                break;
            }
            i += 1;
            end = i;
        }
        cols.push((start, chars[start..end].iter().collect::<String>()));
    }
    cols
}

fn is_upper_header(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c == ' ' || c == '\t' || c == '-' || c == '_')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Pods,
    Events,
    Describe,
}

/// What kind of kubectl table a header line opens.
pub fn header_kind(line: &str) -> Option<Section> {
    if !is_upper_header(line) {
        return None;
    }
    let cols: Vec<String> = header_cols(line).into_iter().map(|(_, n)| n).collect();
    let has = |n: &str| cols.iter().any(|c| c == n);
    if has("NAME") && has("READY") && has("STATUS") && has("RESTARTS") {
        return Some(Section::Pods);
    }
    if has("REASON")
        && has("MESSAGE")
        && (has("OBJECT") || (has("NAME") && has("KIND")) || has("TYPE"))
    {
        return Some(Section::Events);
    }
    None
}

fn is_describe_start(lines: &[&str], i: usize) -> bool {
    lines[i].starts_with("Name:")
        && lines
            .iter()
            .skip(i + 1)
            .take(4)
            .any(|l| l.starts_with("Namespace:"))
}

/// Sniff kubectl text: which sections are present in the first lines.
pub fn sniff(text: &str) -> Vec<Section> {
    let lines: Vec<&str> = text.lines().take(400).collect();
    let mut found = Vec::new();
    for i in 0..lines.len() {
        let s = if is_describe_start(&lines, i) {
            Some(Section::Describe)
        } else {
            header_kind(lines[i])
        };
        if let Some(s) = s {
            if !found.contains(&s) {
                found.push(s);
            }
        }
    }
    found
}

// ------------------------------------------------------------------ tables

struct Table {
    cols: Vec<(usize, String)>,
}

impl Table {
    fn new(header: &str) -> Table {
        Table {
            cols: header_cols(header),
        }
    }

    fn row(&self, line: &str) -> Vec<(String, String)> {
        let chars: Vec<char> = line.chars().collect();
        let aligned = self.cols.iter().skip(1).all(|(start, _)| {
            *start <= chars.len()
                && (*start == 0
                    || chars
                        .get(start - 1)
                        .map(|c| *c == ' ' || *c == '\t')
                        .unwrap_or(true))
        });
        let mut out = Vec::new();
        if aligned && !line.contains('\t') {
            for (i, (start, name)) in self.cols.iter().enumerate() {
                let end = self
                    .cols
                    .get(i + 1)
                    .map(|c| c.0)
                    .unwrap_or(chars.len())
                    .min(chars.len());
                let start = (*start).min(chars.len());
                out.push((
                    name.clone(),
                    chars[start..end.max(start)]
                        .iter()
                        .collect::<String>()
                        .trim()
                        .to_string(),
                ));
            }
            return out;
        }
        // Collapsed spacing (tabs, pasted through a chat): split on runs of whitespace, the rest goes to the last column.
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let n = self.cols.len();
        let mut t = 0;
        for (i, (_, name)) in self.cols.iter().enumerate() {
            if i + 1 == n {
                out.push((name.clone(), tokens[t.min(tokens.len())..].join(" ")));
            } else if name == "RESTARTS"
                && tokens
                    .get(t + 1)
                    .map(|s| s.starts_with('('))
                    .unwrap_or(false)
            {
                // "5 (3m ago)"
                let mut v = tokens[t].to_string();
                t += 1;
                while t < tokens.len() {
                    v.push(' ');
                    v.push_str(tokens[t]);
                    let done = tokens[t].ends_with(')');
                    t += 1;
                    if done {
                        break;
                    }
                }
                out.push((name.clone(), v));
            } else {
                out.push((
                    name.clone(),
                    tokens.get(t).map(|s| s.to_string()).unwrap_or_default(),
                ));
                t += 1;
            }
        }
        out
    }
}

fn col<'a>(row: &'a [(String, String)], name: &str) -> Option<&'a str> {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty() && *v != "<none>")
}

/// `5`, `5 (3m ago)` → 5.
fn parse_restarts(s: &str) -> Option<u64> {
    s.split_whitespace().next()?.parse().ok()
}

/// `3m (x5 over 10m)` → 5.
fn parse_count_in_age(s: &str) -> Option<u64> {
    let i = s.find("(x")?;
    s[i + 2..].split_whitespace().next()?.parse().ok()
}

// ------------------------------------------------------------ text parsing

pub fn parse_text(text: &str) -> ClusterState {
    let lines: Vec<&str> = text.lines().collect();
    let mut st = ClusterState::default();
    let mut i = 0;
    while i < lines.len() {
        if is_describe_start(&lines, i) {
            let end = (i + 1..lines.len())
                .find(|&j| is_describe_start(&lines, j) || header_kind(lines[j]).is_some())
                .unwrap_or(lines.len());
            let (pod, events) = parse_describe(&lines[i..end], i);
            st.pods.push(pod);
            st.events.extend(events);
            st.saw_describe = true;
            i = end;
            continue;
        }
        match header_kind(lines[i]) {
            Some(Section::Pods) => {
                let table = Table::new(lines[i]);
                i += 1;
                while i < lines.len()
                    && !lines[i].trim().is_empty()
                    && header_kind(lines[i]).is_none()
                    && !is_describe_start(&lines, i)
                {
                    if let Some(pod) = pod_row(&table, lines[i], i as u64 + 1) {
                        st.pods.push(pod);
                    }
                    i += 1;
                }
                st.saw_pods_table = true;
            }
            Some(Section::Events) => {
                let table = Table::new(lines[i]);
                i += 1;
                while i < lines.len()
                    && !lines[i].trim().is_empty()
                    && header_kind(lines[i]).is_none()
                    && !is_describe_start(&lines, i)
                {
                    if let Some(ev) = event_row(&table, lines[i], i as u64 + 1) {
                        st.events.push(ev);
                    }
                    i += 1;
                }
                st.saw_events_table = true;
            }
            _ => i += 1,
        }
    }
    st
}

fn pod_row(table: &Table, line: &str, lineno: u64) -> Option<PodRec> {
    if line.trim_start().starts_with('$') || line.trim_start().starts_with('#') {
        return None;
    }
    let row = table.row(line);
    let name = col(&row, "NAME")?.to_string();
    let status = col(&row, "STATUS").unwrap_or("").to_string();
    Some(PodRec {
        namespace: col(&row, "NAMESPACE").map(str::to_string),
        name,
        status,
        ready: col(&row, "READY").map(str::to_string),
        restarts: col(&row, "RESTARTS").and_then(parse_restarts),
        age: col(&row, "AGE").map(str::to_string),
        node: col(&row, "NODE").map(str::to_string),
        line: lineno,
        ..PodRec::default()
    })
}

fn event_row(table: &Table, line: &str, lineno: u64) -> Option<EventRec> {
    let row = table.row(line);
    let reason = col(&row, "REASON")?.to_string();
    let (object_kind, object_name) = match col(&row, "OBJECT") {
        Some(obj) => match obj.split_once('/') {
            Some((k, n)) => (canonical_kind(k), n.to_string()),
            None => (String::new(), obj.to_string()),
        },
        None => (
            col(&row, "KIND").unwrap_or("").to_string(),
            col(&row, "NAME").unwrap_or("").to_string(),
        ),
    };
    let last_seen = col(&row, "LAST SEEN")
        .or_else(|| col(&row, "LASTSEEN"))
        .map(str::to_string);
    let count = col(&row, "COUNT")
        .and_then(|c| c.parse().ok())
        .or_else(|| last_seen.as_deref().and_then(parse_count_in_age))
        .unwrap_or(1);
    Some(EventRec {
        namespace: col(&row, "NAMESPACE").map(str::to_string),
        timestamp: None,
        reason,
        object_kind,
        object_name,
        message: col(&row, "MESSAGE").unwrap_or("").to_string(),
        count,
        line: lineno,
    })
}

fn canonical_kind(k: &str) -> String {
    match k.to_ascii_lowercase().as_str() {
        "pod" | "pods" => "Pod".into(),
        "node" | "nodes" => "Node".into(),
        "deployment" | "deployment.apps" => "Deployment".into(),
        "replicaset" | "replicaset.apps" => "ReplicaSet".into(),
        "statefulset" | "statefulset.apps" => "StatefulSet".into(),
        "daemonset" | "daemonset.apps" => "DaemonSet".into(),
        "job" | "job.batch" => "Job".into(),
        "cronjob" | "cronjob.batch" => "CronJob".into(),
        "persistentvolumeclaim" => "PersistentVolumeClaim".into(),
        other => other.to_string(),
    }
}

fn kv(line: &str) -> Option<(String, String)> {
    let (k, v) = line.trim().split_once(':')?;
    if k.is_empty() || k.contains("  ") {
        return None;
    }
    Some((k.trim().to_string(), v.trim().to_string()))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn parse_describe(lines: &[&str], base: usize) -> (PodRec, Vec<EventRec>) {
    let mut pod = PodRec {
        line: base as u64 + 1,
        ..PodRec::default()
    };
    let mut events = Vec::new();
    let mut section = "";
    let mut cur: Option<CtrRec> = None;
    // Inside a container: "State", "Last State", "Limits", "Requests".
    let mut sub = "";
    let mut i = 0;
    let flush = |cur: &mut Option<CtrRec>, pod: &mut PodRec| {
        if let Some(c) = cur.take() {
            pod.containers.push(c);
        }
    };
    while i < lines.len() {
        let line = lines[i];
        let ind = indent(line);
        let t = line.trim();
        if t.is_empty() {
            i += 1;
            continue;
        }
        if ind == 0 {
            flush(&mut cur, &mut pod);
            sub = "";
            if let Some((key, value)) = kv(line) {
                section = match key.as_str() {
                    "Containers" => "containers",
                    "Init Containers" => "init",
                    "Events" => "events",
                    "Conditions" => "conditions",
                    _ => "",
                };
                match key.as_str() {
                    "Name" => pod.name = value,
                    "Namespace" => pod.namespace = Some(value),
                    "Node" => {
                        pod.node = value
                            .split('/')
                            .next()
                            .map(str::to_string)
                            .filter(|s| !s.is_empty() && s != "<none>")
                    }
                    "Status" => pod.status = value,
                    "Reason" => pod.reason = Some(value),
                    "Message" => pod.message = Some(value),
                    "QoS Class" => pod.qos = Some(value),
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        match section {
            "containers" | "init" => {
                if ind == 2 && t.ends_with(':') && !t.contains(' ') {
                    flush(&mut cur, &mut pod);
                    cur = Some(CtrRec {
                        name: t.trim_end_matches(':').to_string(),
                        ..CtrRec::default()
                    });
                    sub = "";
                } else if let Some(c) = cur.as_mut() {
                    if let Some((key, value)) = kv(line) {
                        if ind == 4 {
                            sub = match key.as_str() {
                                "State" => "state",
                                "Last State" => "last",
                                "Limits" => "limits",
                                "Requests" => "requests",
                                _ => "",
                            };
                            match key.as_str() {
                                "Image" => c.image = Some(value),
                                "State" => c.state = Some(value),
                                "Restart Count" => c.restarts = value.parse().unwrap_or(0),
                                "Liveness" => c.liveness = Some(value),
                                "Readiness" => c.readiness = Some(value),
                                _ => {}
                            }
                        } else if ind >= 6 {
                            match (sub, key.as_str()) {
                                ("state", "Reason") => c.reason = Some(value),
                                ("state", "Exit Code") => c.exit_code = value.parse().ok(),
                                ("last", "Reason") => c.last_reason = Some(value),
                                ("last", "Exit Code") => c.last_exit_code = value.parse().ok(),
                                ("last", "Finished") => c.last_finished = Some(value),
                                ("limits", "cpu") => c.lim_cpu = Some(value),
                                ("limits", "memory") => c.lim_mem = Some(value),
                                ("requests", "cpu") => c.req_cpu = Some(value),
                                ("requests", "memory") => c.req_mem = Some(value),
                                _ => {}
                            }
                        }
                    }
                }
            }
            "conditions" => {
                let parts: Vec<&str> = t.split_whitespace().collect();
                if parts.first() == Some(&"PodScheduled") && parts.get(1) == Some(&"False") {
                    pod.unschedulable = Some(String::new());
                }
            }
            "events"
                if header_cols(line).iter().any(|(_, n)| n == "Reason")
                    && t.starts_with("Type") =>
            {
                let table = Table::new(line);
                i += 1;
                while i < lines.len() && indent(lines[i]) > 0 {
                    let l = lines[i];
                    if l.trim().starts_with("----") {
                        i += 1;
                        continue;
                    }
                    let row = table.row(l);
                    let age = col(&row, "Age").map(str::to_string);
                    events.push(EventRec {
                        namespace: pod.namespace.clone(),
                        count: age.as_deref().and_then(parse_count_in_age).unwrap_or(1),
                        timestamp: None,
                        reason: col(&row, "Reason").unwrap_or("").to_string(),
                        object_kind: "Pod".into(),
                        object_name: pod.name.clone(),
                        message: col(&row, "Message").unwrap_or("").to_string(),
                        line: (base + i) as u64 + 1,
                    });
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    flush(&mut cur, &mut pod);
    // The STATUS kubectl get would show.
    pod.status = display_status(&pod);
    // Events of a describe block belong to its pod, whose name was only known at the top.
    for e in &mut events {
        e.object_name = pod.name.clone();
        e.namespace = pod.namespace.clone();
    }
    pod.restarts = Some(pod.containers.iter().map(|c| c.restarts).sum());
    if pod.unschedulable.is_some() {
        let msg = events
            .iter()
            .rev()
            .find(|e| e.reason == "FailedScheduling")
            .map(|e| e.message.clone());
        pod.unschedulable = msg.or(Some(String::new()));
    }
    (pod, events)
}

/// The status word `kubectl get pods` would print for a pod.
fn display_status(pod: &PodRec) -> String {
    if let Some(r) = pod.reason.as_deref().filter(|r| !r.is_empty()) {
        return r.to_string();
    }
    for c in &pod.containers {
        if let Some(r) = c.reason.as_deref() {
            if c.state.as_deref() != Some("Running") && !r.is_empty() && r != "Completed" {
                return r.to_string();
            }
        }
    }
    pod.status.clone()
}

// ----------------------------------------------------------- structured input

/// Pods with `status` and Event objects from `kubectl get … -o yaml/json`.
pub fn from_objects(objs: &[Obj]) -> ClusterState {
    let mut st = ClusterState::default();
    for obj in objs {
        match obj.kind.as_str() {
            "Pod" if obj.node.get("status").is_some() => st.pods.push(pod_from_object(obj)),
            "Event" => {
                let n = &obj.node;
                let inv = n.get("involvedObject").or_else(|| n.get("regarding"));
                let text = |node: Option<&Node>, key: &str| {
                    node.and_then(|x| x.get(key)).and_then(Node::as_text)
                };
                st.events.push(EventRec {
                    namespace: text(inv, "namespace").or_else(|| obj.namespace.clone()),
                    timestamp: text(Some(n), "lastTimestamp")
                        .or_else(|| text(Some(n), "eventTime")),
                    reason: text(Some(n), "reason").unwrap_or_default(),
                    object_kind: text(inv, "kind").unwrap_or_default(),
                    object_name: text(inv, "name").unwrap_or_default(),
                    message: text(Some(n), "message")
                        .or_else(|| text(Some(n), "note"))
                        .unwrap_or_default(),
                    count: n.get("count").and_then(Node::as_i64).unwrap_or(1).max(1) as u64,
                    line: obj.line,
                });
            }
            _ => {}
        }
    }
    st
}

fn pod_from_object(obj: &Obj) -> PodRec {
    let n = &obj.node;
    let status = n.get("status");
    let s = |key: &str| status.and_then(|x| x.get(key)).and_then(Node::as_text);
    let mut pod = PodRec {
        namespace: obj.namespace.clone(),
        name: obj.name.clone(),
        status: s("phase").unwrap_or_default(),
        node: n.get_path(&["spec", "nodeName"]).and_then(Node::as_text),
        reason: s("reason"),
        message: s("message"),
        qos: s("qosClass"),
        line: obj.line,
        ..PodRec::default()
    };
    let spec_ctrs = n
        .get_path(&["spec", "containers"])
        .and_then(Node::as_seq)
        .cloned()
        .unwrap_or_default();
    for field in ["initContainerStatuses", "containerStatuses"] {
        let Some(list) = status.and_then(|x| x.get(field)).and_then(Node::as_seq) else {
            continue;
        };
        for cs in list {
            let name = cs.get("name").and_then(Node::as_text).unwrap_or_default();
            let mut c = CtrRec {
                name: name.clone(),
                restarts: cs
                    .get("restartCount")
                    .and_then(Node::as_i64)
                    .unwrap_or(0)
                    .max(0) as u64,
                ..CtrRec::default()
            };
            c.image = cs.get("image").and_then(Node::as_text);
            if let Some(state) = cs.get("state").and_then(Node::as_map) {
                if let Some((k, v)) = state.first() {
                    c.state = Some(capitalize(k));
                    c.reason = v.get("reason").and_then(Node::as_text);
                    c.exit_code = v.get("exitCode").and_then(Node::as_i64);
                }
            }
            if let Some(term) = cs.get_path(&["lastState", "terminated"]) {
                c.last_reason = term.get("reason").and_then(Node::as_text);
                c.last_exit_code = term.get("exitCode").and_then(Node::as_i64);
                c.last_finished = term.get("finishedAt").and_then(Node::as_text);
            }
            if let Some(sc) = spec_ctrs
                .iter()
                .find(|x| x.get("name").and_then(Node::as_text).as_deref() == Some(name.as_str()))
            {
                let r = |a: &str, b: &str| {
                    sc.get("resources")
                        .and_then(|x| x.get(a))
                        .and_then(|x| x.get(b))
                        .and_then(Node::as_text)
                };
                c.req_cpu = r("requests", "cpu");
                c.req_mem = r("requests", "memory");
                c.lim_cpu = r("limits", "cpu");
                c.lim_mem = r("limits", "memory");
                c.liveness = sc.get("livenessProbe").map(probe_summary);
                c.readiness = sc.get("readinessProbe").map(probe_summary);
            }
            pod.containers.push(c);
        }
    }
    if let Some(conds) = status
        .and_then(|x| x.get("conditions"))
        .and_then(Node::as_seq)
    {
        for c in conds {
            if c.get("type").and_then(Node::as_str) == Some("PodScheduled")
                && c.get("status").and_then(Node::as_text).as_deref() == Some("False")
            {
                pod.unschedulable =
                    Some(c.get("message").and_then(Node::as_text).unwrap_or_default());
            }
        }
    }
    pod.restarts = Some(pod.containers.iter().map(|c| c.restarts).sum());
    pod.status = display_status(&pod);
    pod
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A describe-like one-liner of a probe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s`.
fn probe_summary(p: &Node) -> String {
    let mut out = if let Some(h) = p.get("httpGet") {
        format!(
            "http-get http://:{}{}",
            h.get("port").and_then(Node::as_text).unwrap_or_default(),
            h.get("path")
                .and_then(Node::as_text)
                .unwrap_or_else(|| "/".into())
        )
    } else if let Some(t) = p.get("tcpSocket") {
        format!(
            "tcp-socket :{}",
            t.get("port").and_then(Node::as_text).unwrap_or_default()
        )
    } else if p.get("exec").is_some() {
        "exec".into()
    } else {
        "probe".into()
    };
    for (key, label) in [
        ("initialDelaySeconds", "delay"),
        ("timeoutSeconds", "timeout"),
        ("periodSeconds", "period"),
    ] {
        if let Some(v) = p.get(key).and_then(Node::as_i64) {
            out.push_str(&format!(" {label}={v}s"));
        }
    }
    if let Some(v) = p.get("failureThreshold").and_then(Node::as_i64) {
        out.push_str(&format!(" #failure={v}"));
    }
    out
}

// ----------------------------------------------------------- names and owners

/// The workload a pod belongs to, guessed from its name: `web-7d9c8b6f5d-x2x9q` → (Deployment, web),
/// `db-0` → (StatefulSet, db), `backup-28901234-abcde` → (CronJob, backup).
pub fn owner_of(pod: &str) -> (String, String) {
    let parts: Vec<&str> = pod.split('-').collect();
    // Generated names use an alphabet without vowels and look-alike digits.
    const SAFE: &str = "bcdfghjklmnpqrstvwxz2456789";
    let safe = |s: &str| s.chars().all(|c| SAFE.contains(c));
    let is_suffix = |s: &str| s.len() == 5 && safe(s);
    let is_hash = |s: &str| (6..=10).contains(&s.len()) && safe(s);
    if parts.len() >= 3 && is_suffix(parts[parts.len() - 1]) {
        let mid = parts[parts.len() - 2];
        let base = parts[..parts.len() - 2].join("-");
        if mid.len() == 8 && mid.chars().all(|c| c.is_ascii_digit()) {
            return ("CronJob".into(), base);
        }
        if is_hash(mid) {
            return ("Deployment".into(), base);
        }
    }
    if parts.len() >= 2 {
        let last = parts[parts.len() - 1];
        if !last.is_empty() && last.len() <= 3 && last.chars().all(|c| c.is_ascii_digit()) {
            return ("StatefulSet".into(), parts[..parts.len() - 1].join("-"));
        }
    }
    ("Pod".into(), pod.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners() {
        assert_eq!(
            owner_of("web-7d9c8b6f5d-x2x9q"),
            ("Deployment".into(), "web".into())
        );
        assert_eq!(
            owner_of("api-gateway-5f7b9c4d8-q8vzm"),
            ("Deployment".into(), "api-gateway".into())
        );
        assert_eq!(
            owner_of("postgres-0"),
            ("StatefulSet".into(), "postgres".into())
        );
        assert_eq!(
            owner_of("backup-28901234-k2j4x"),
            ("CronJob".into(), "backup".into())
        );
        assert_eq!(owner_of("standalone"), ("Pod".into(), "standalone".into()));
        assert_eq!(
            owner_of("my-app-server-abcde"),
            ("Pod".into(), "my-app-server-abcde".into())
        );
    }

    #[test]
    fn header_columns_keep_single_spaces() {
        let cols: Vec<String> =
            header_cols("NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT   MESSAGE")
                .into_iter()
                .map(|c| c.1)
                .collect();
        assert_eq!(
            cols,
            [
                "NAMESPACE",
                "LAST SEEN",
                "TYPE",
                "REASON",
                "OBJECT",
                "MESSAGE"
            ]
        );
    }

    #[test]
    fn collapsed_rows_still_parse() {
        let t = Table::new("NAME   READY   STATUS   RESTARTS   AGE");
        let row = t.row("web-1 0/1 CrashLoopBackOff 7 (2m ago) 20m");
        assert_eq!(col(&row, "RESTARTS"), Some("7 (2m ago)"));
        assert_eq!(col(&row, "AGE"), Some("20m"));
    }
}
