//! Cluster-state checks over kubectl output: `get pods -A [-o wide]`, `get events -A`, `describe pod`, `-o json`.

mod common;

use common::*;
use logsieve_engine::Severity;
use logsieve_k8s::{audit, detect, fix, K8sError, K8sInputKind};

#[test]
fn detects_kubectl_text() {
    assert_eq!(
        detect(&fixture("get-pods-A.txt")),
        Some(K8sInputKind::GetPods)
    );
    assert_eq!(
        detect(&fixture("get-pods-A-wide.txt")),
        Some(K8sInputKind::GetPods)
    );
    assert_eq!(
        detect(&fixture("get-pods.txt")),
        Some(K8sInputKind::GetPods)
    );
    assert_eq!(
        detect(&fixture("get-events-A.txt")),
        Some(K8sInputKind::GetEvents)
    );
    assert_eq!(
        detect(&fixture("describe-pod-oomkilled.txt")),
        Some(K8sInputKind::DescribePod)
    );
    let mixed = format!(
        "{}\n{}\n{}",
        fixture("get-pods-A.txt"),
        fixture("get-events-A.txt"),
        fixture("describe-pod-evicted.txt")
    );
    assert_eq!(detect(&mixed), Some(K8sInputKind::KubectlText));
    assert_eq!(fix(&fixture("get-pods-A.txt")), Err(K8sError::NotManifest));
    assert_eq!(audit("just a log line\n"), Err(K8sError::NotKubernetes));
}

#[test]
fn get_pods_all_namespaces() {
    let a = audit(&fixture("get-pods-A.txt")).unwrap();
    assert_eq!(a.objects.len(), 13);
    let web = a
        .objects
        .iter()
        .find(|o| o.name == "web-7d9c8b6f5d-4hq7n")
        .unwrap();
    assert_eq!(
        (
            web.namespace.as_deref(),
            web.status.as_deref(),
            web.ready.as_deref()
        ),
        (Some("shop"), Some("Evicted"), Some("0/1"))
    );
    let cart = a
        .objects
        .iter()
        .find(|o| o.name.starts_with("cart-"))
        .unwrap();
    assert_eq!(cart.restarts, Some(4), "\"4 (38s ago)\"");
    let f = &a.findings;
    for x in f {
        assert_complete(x);
    }
    let ev = one(f, "k8s_evicted", "web", None);
    assert_eq!(ev.severity, Severity::High);
    assert_eq!(ev.k8s.as_ref().unwrap().kind, "Deployment");
    assert!(
        ev.title
            .starts_with("3 pods of Deployment shop/web evicted"),
        "{}",
        ev.title
    );
    assert_eq!(ev.evidence.lines, vec![5, 6, 7]);
    let fix = &ev.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("kind: LimitRange")
            && fix.contains("kind: ResourceQuota")
            && fix.contains("resources:"),
        "{fix}"
    );
    assert!(ev.commands.iter().any(
        |c| c.contains("--field-selector=status.phase=Failed") || c.contains("reason=Evicted")
    ));
    assert!(
        !ev.queries.kql.is_empty() && !ev.queries.logql.is_empty() && !ev.queries.spl.is_empty()
    );
    assert_eq!(
        one(f, "k8s_oomkilled", "cart", None).severity,
        Severity::High
    );
    let cl = one(f, "k8s_crash_loop", "checkout", None);
    assert!(cl.title.contains("17 restarts"), "{}", cl.title);
    assert!(cl.commands.iter().any(|c| c.contains("--previous")));
    assert_eq!(find(f, "k8s_image_pull", "payments", None).len(), 1);
    assert_eq!(find(f, "k8s_image_pull", "recommender", None).len(), 1);
    let pend = one(f, "k8s_pending", "spark-worker", None);
    assert_eq!(pend.k8s.as_ref().unwrap().kind, "StatefulSet");
    // Running and Completed pods, and other namespaces, are quiet.
    assert_eq!(
        f.len(),
        6,
        "{:#?}",
        f.iter().map(|x| &x.title).collect::<Vec<_>>()
    );
}

#[test]
fn get_pods_wide_and_single_namespace() {
    let a = audit(&fixture("get-pods-A-wide.txt")).unwrap();
    let ev = a
        .objects
        .iter()
        .find(|o| o.name == "web-7d9c8b6f5d-4hq7n")
        .unwrap();
    assert_eq!(ev.node.as_deref(), Some("worker-2"));
    let e = one(&a.findings, "k8s_evicted", "web", None);
    assert!(e.summary.contains("worker-2"), "{}", e.summary);
    assert!(e
        .commands
        .iter()
        .any(|c| c == "kubectl describe node worker-2 | grep -A 8 Conditions"));
    assert!(one(&a.findings, "k8s_crash_loop", "cart", None)
        .title
        .contains("5 restarts"));

    let a = audit(&fixture("get-pods.txt")).unwrap();
    assert_eq!(a.objects.len(), 3);
    assert!(a.objects.iter().all(|o| o.namespace.is_none()));
    assert_eq!(
        one(&a.findings, "k8s_oomkilled", "cart", None)
            .k8s
            .as_ref()
            .unwrap()
            .namespace,
        None
    );
    assert_eq!(
        find(&a.findings, "k8s_crash_loop", "checkout", None).len(),
        1
    );
}

#[test]
fn events_all_namespaces() {
    let a = audit(&fixture("get-events-A.txt")).unwrap();
    let f = &a.findings;
    for x in f {
        assert_complete(x);
    }
    // Evicted: both pods, the memory reason, the usage and the zero request tied to missing limits.
    let ev = one(f, "k8s_evicted", "web", None);
    assert!(
        ev.title.contains("2 pods") && ev.title.contains("node low on memory"),
        "{}",
        ev.title
    );
    assert_eq!(ev.k8s.as_ref().unwrap().container.as_deref(), Some("web"));
    assert!(
        ev.summary.contains("1843560Ki") && ev.summary.contains("no requests"),
        "{}",
        ev.summary
    );
    let fix = &ev.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("- name: web") && fix.contains("memory: 2Gi"),
        "{fix}"
    );
    // A node-level OOM.
    let node_oom = one(f, "k8s_oomkilled", "worker-3", None);
    assert_eq!(node_oom.k8s.as_ref().unwrap().kind, "Node");
    assert!(node_oom.summary.contains("java"));
    // Image pulls: one unauthorized (pull secret), one missing tag.
    let auth = one(f, "k8s_image_pull", "payments", None);
    assert!(auth.title.contains("unauthorized"), "{}", auth.title);
    assert!(auth.k8s.as_ref().unwrap().fix.contains("imagePullSecrets"));
    assert_eq!(auth.evidence.total, 3);
    let missing = one(f, "k8s_image_pull", "recommender", None);
    assert!(missing.title.contains("not found"), "{}", missing.title);
    assert!(missing
        .k8s
        .as_ref()
        .unwrap()
        .fix
        .contains("ghcr.io/example/recommender:<existing-tag>"));
    // Pending: the scheduler's reasons, a toleration for the taint and lower requests.
    let pend = one(f, "k8s_pending", "spark-worker", None);
    assert!(pend.title.contains("insufficient memory"), "{}", pend.title);
    assert!(
        pend.summary.contains("untolerated taint"),
        "{}",
        pend.summary
    );
    let fix = &pend.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("tolerations:") && fix.contains("key: node-role.kubernetes.io/control-plane"),
        "{fix}"
    );
    // Probes: the liveness failures restart checkout; readiness fails for web.
    let live = find(f, "k8s_probe_failures", "checkout", None);
    assert_eq!(live.len(), 1);
    let live = live[0];
    assert_eq!(live.severity, Severity::High);
    assert!(
        live.title.contains("12 failures") && live.title.contains("4 restarts"),
        "{}",
        live.title
    );
    assert_eq!(
        live.k8s.as_ref().unwrap().container.as_deref(),
        Some("checkout")
    );
    let fix = &live.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("startupProbe")
            && fix.contains("path: /healthz")
            && fix.contains("port: 8080"),
        "{fix}"
    );
    let ready = one(f, "k8s_probe_failures", "web", None);
    assert_eq!(ready.severity, Severity::Medium);
    assert!(ready.title.starts_with("Readiness"));
    // The crash loop knows the liveness probe is what kills it.
    let cl = one(f, "k8s_crash_loop", "checkout", None);
    assert!(
        cl.root_cause.as_deref().unwrap_or("").contains("liveness"),
        "{:?}",
        cl.root_cause
    );
}

#[test]
fn describe_oomkilled() {
    let a = audit(&fixture("describe-pod-oomkilled.txt")).unwrap();
    assert_eq!(a.objects.len(), 1);
    assert_eq!(a.objects[0].containers, vec!["cart".to_string()]);
    let oom = one(&a.findings, "k8s_oomkilled", "cart", Some("cart"));
    assert!(oom.summary.contains("256Mi"), "{}", oom.summary);
    let fix = &oom.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("limits:\n              memory: 512Mi") && !fix.contains("cpu"),
        "{fix}"
    );
    let cl = one(&a.findings, "k8s_crash_loop", "cart", Some("cart"));
    assert!(cl.root_cause.as_deref().unwrap().contains("OOMKilled"));
    assert!(cl.summary.contains("exit code 137"), "{}", cl.summary);
}

#[test]
fn describe_evicted_ties_to_missing_requests() {
    let a = audit(&fixture("describe-pod-evicted.txt")).unwrap();
    assert_eq!(
        a.findings.len(),
        1,
        "{:#?}",
        a.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let ev = &a.findings[0];
    assert_eq!(ev.kind, "k8s_evicted");
    assert!(
        ev.summary.contains("BestEffort") && ev.summary.contains("worker-2"),
        "{}",
        ev.summary
    );
    assert!(ev
        .root_cause
        .as_deref()
        .unwrap()
        .contains("no requests/limits"));
}

#[test]
fn describe_pending() {
    let a = audit(&fixture("describe-pod-pending.txt")).unwrap();
    let p = one(&a.findings, "k8s_pending", "spark-worker", None);
    assert_eq!(p.severity, Severity::High);
    let fix = &p.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("- name: worker")
            && fix.contains("memory: 12Gi")
            && fix.contains("cpu: \"2\""),
        "{fix}"
    );
}

#[test]
fn pods_as_json() {
    let a = audit(&fixture("pods-o-json.json")).unwrap();
    assert_eq!(a.input, K8sInputKind::Json);
    assert_eq!(a.objects.len(), 5);
    let f = &a.findings;
    // Pods owned by controllers get no manifest findings: only their state counts.
    assert!(
        f.iter()
            .all(|x| !x.kind.starts_with("k8s_missing") && x.kind != "k8s_run_as_root"),
        "{:#?}",
        f.iter().map(|x| &x.kind).collect::<Vec<_>>()
    );
    let oom = one(f, "k8s_oomkilled", "cart", Some("cart"));
    assert_eq!(oom.first_seen.as_deref(), Some("2025-11-24T09:33:41Z"));
    assert!(oom.k8s.as_ref().unwrap().fix.contains("memory: 512Mi"));
    assert_eq!(find(f, "k8s_crash_loop", "cart", None).len(), 1);
    let ev = one(f, "k8s_evicted", "web", Some("web"));
    assert!(
        ev.summary.contains("BestEffort") || ev.summary.contains("no requests"),
        "{}",
        ev.summary
    );
    assert!(one(f, "k8s_image_pull", "payments", Some("payments"))
        .title
        .contains("registry.example.com/shop/payments:2.4.1"));
    assert!(one(f, "k8s_pending", "spark-worker", None)
        .title
        .contains("insufficient memory"));
    assert_eq!(f.len(), 5);
}

#[test]
fn pasted_together() {
    let mixed = format!(
        "$ kubectl get pods -A\n{}\n$ kubectl get events -A\n{}\n$ kubectl describe pod web-7d9c8b6f5d-4hq7n -n shop\n{}",
        fixture("get-pods-A.txt"),
        fixture("get-events-A.txt"),
        fixture("describe-pod-evicted.txt")
    );
    let a = audit(&mixed).unwrap();
    assert_eq!(a.input, K8sInputKind::KubectlText);
    // One Evicted finding for the workload, with the table rows, the events and the describe block as evidence.
    let ev = one(&a.findings, "k8s_evicted", "web", None);
    assert!(ev.title.starts_with("3 pods"), "{}", ev.title);
    assert!(ev.evidence.total >= 6, "{:?}", ev.evidence);
    assert!(ev.summary.contains("memory"));
}

#[test]
fn older_and_wide_event_tables() {
    // kubectl before 1.14: one row per event with NAME and KIND columns and a COUNT.
    let old = "\
LAST SEEN   FIRST SEEN   COUNT     NAME                         KIND      SUBOBJECT                  TYPE      REASON      SOURCE                 MESSAGE
1m          20m          14        checkout-55c7d9b8f6-lm2xv    Pod       spec.containers{checkout}  Warning   Unhealthy   kubelet, worker-2      Liveness probe failed: Get http://10.244.2.17:8080/healthz: net/http: request canceled (Client.Timeout exceeded while awaiting headers)
";
    assert_eq!(detect(old), Some(K8sInputKind::GetEvents));
    let a = audit(old).unwrap();
    let p = one(&a.findings, "k8s_probe_failures", "checkout", None);
    assert!(p.title.contains("14 failures"), "{}", p.title);
    assert!(p.k8s.as_ref().unwrap().namespace.is_none());

    // -o wide: SUBOBJECT, SOURCE, FIRST SEEN, COUNT and the event's own NAME after the message.
    let wide = "\
LAST SEEN   TYPE      REASON    OBJECT                        SUBOBJECT                 SOURCE             MESSAGE                                                                                      FIRST SEEN   COUNT   NAME
2m          Warning   BackOff   pod/cart-6b8f9d7c54-qwr2t     spec.containers{cart}     kubelet, worker-3  Back-off restarting failed container cart in pod cart-6b8f9d7c54-qwr2t_shop(2d0c5a1e)        20m          9       cart-6b8f9d7c54-qwr2t.17a8b9c0d1e2f3a4
";
    let a = audit(wide).unwrap();
    let c = one(&a.findings, "k8s_crash_loop", "cart", Some("cart"));
    assert_eq!(c.evidence.lines, vec![2]);
}

/// Truncated or garbled input never panics: every prefix of every fixture is audited (errors are fine).
#[test]
fn truncated_inputs_do_not_panic() {
    let dir = fixtures_dir();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                let part = &text[..cut];
                let _ = detect(part);
                let _ = audit(part);
                let _ = fix(part);
                let squashed = part.replace("   ", " ");
                let _ = audit(&squashed);
            }
            cut += 41;
        }
    }
}
