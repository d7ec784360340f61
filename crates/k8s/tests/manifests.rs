//! Manifest checks over the fixtures: one per workload kind, a Helm render, a `kind: List`, JSON, and a hardened
//! manifest that yields nothing.

mod common;

use common::*;
use logsieve_engine::Severity;
use logsieve_k8s::{audit, detect, K8sInputKind};

#[test]
fn detects_manifest_formats() {
    assert_eq!(detect(&fixture("pod.yaml")), Some(K8sInputKind::Yaml));
    assert_eq!(
        detect(&fixture("deployment-helm.yaml")),
        Some(K8sInputKind::Yaml)
    );
    assert_eq!(detect(&fixture("list.yaml")), Some(K8sInputKind::Yaml));
    assert_eq!(
        detect(&fixture("deployment.json")),
        Some(K8sInputKind::Json)
    );
    assert_eq!(
        detect(&fixture("pods-o-json.json")),
        Some(K8sInputKind::Json)
    );
    // Not Kubernetes: an application log, a YAML config, a JSON log line.
    assert_eq!(
        detect("2025-11-24 09:12:44 INFO Started Application in 3.2 seconds\n"),
        None
    );
    assert_eq!(
        detect("server:\n  port: 8080\nlogging:\n  level: info\n"),
        None
    );
    assert_eq!(detect("{\"level\":\"info\",\"msg\":\"hello\"}\n"), None);
}

#[test]
fn every_finding_is_complete() {
    for (name, text) in manifest_fixtures() {
        let a = audit(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        for f in &a.findings {
            assert_complete(f);
            let t = f.k8s.as_ref().unwrap();
            if t.kind != "Namespace" {
                assert!(
                    !t.yaml_path.is_empty(),
                    "{name}: {} has no yaml_path",
                    f.title
                );
            }
        }
    }
}

#[test]
fn pod_with_init_container() {
    let a = audit(&fixture("pod.yaml")).unwrap();
    let f = &a.findings;
    let caps = one(
        f,
        "k8s_dangerous_capabilities",
        "debug-shell",
        Some("setup"),
    );
    assert_eq!(caps.severity, Severity::Critical);
    assert!(
        caps.title.contains("Init container") && caps.title.contains("SYS_ADMIN"),
        "{}",
        caps.title
    );
    assert!(caps
        .k8s
        .as_ref()
        .unwrap()
        .yaml_path
        .starts_with("spec.initContainers[0].securityContext"));
    let root = one(f, "k8s_run_as_root", "debug-shell", Some("setup"));
    assert_eq!(root.severity, Severity::High);
    assert_eq!(root.evidence.lines, vec![17], "runAsUser: 0 is on line 17");
    let ns = one(f, "k8s_host_namespace", "debug-shell", None);
    assert_eq!(ns.severity, Severity::High);
    assert!(ns.title.contains("network") && ns.title.contains("PID"));
    let fix = &ns.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("hostNetwork: false") && fix.contains("hostPID: false"),
        "{fix}"
    );
    assert!(fix.starts_with("# Pod specs are immutable"), "{fix}");
    // Literal secrets: both found, values never shown in the fragment.
    let sec = one(f, "k8s_secret_in_env", "debug-shell", Some("shell"));
    assert!(
        sec.title.contains("DB_PASSWORD")
            && sec.title.contains("GITHUB_TOKEN")
            && !sec.title.contains("LOG_LEVEL")
    );
    assert_eq!(sec.evidence.lines, vec![26, 30]);
    let fix = &sec.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("secretKeyRef")
            && fix.contains("name: debug-shell-env")
            && fix.contains("kind: Secret"),
        "{fix}"
    );
    assert!(
        !fix.contains("s3cr3t") && !fix.contains("ghp_"),
        "secret leaked into the fragment: {fix}"
    );
    assert!(!sec.summary.contains("s3cr3t"));
    // A non-sensitive, writable hostPath: medium, fixed by mounting it read-only.
    let hp = one(f, "k8s_host_path", "debug-shell", Some("shell"));
    assert_eq!(hp.severity, Severity::Medium);
    assert!(hp.k8s.as_ref().unwrap().fix.contains("readOnly: true"));
    // nginx without a tag or probes: the probe port comes from the declared port.
    let live = one(
        f,
        "k8s_missing_liveness_probe",
        "debug-shell",
        Some("shell"),
    );
    assert_eq!(live.severity, Severity::Medium);
    assert!(live.k8s.as_ref().unwrap().fix.contains("port: 80"));
    assert_eq!(
        one(f, "k8s_latest_image", "debug-shell", Some("shell")).severity,
        Severity::Medium
    );
    // Init containers get no probe findings.
    assert!(find(
        f,
        "k8s_missing_liveness_probe",
        "debug-shell",
        Some("setup")
    )
    .is_empty());
    assert_eq!(
        one(f, "k8s_no_limitrange_quota", "ops", None).severity,
        Severity::Medium
    );
    // Objects: one Pod with both containers.
    assert_eq!(a.objects.len(), 1);
    assert_eq!(
        a.objects[0].containers,
        vec!["setup".to_string(), "shell".to_string()]
    );
}

#[test]
fn helm_rendered_deployment() {
    let a = audit(&fixture("deployment-helm.yaml")).unwrap();
    let f = &a.findings;
    assert_eq!(
        a.objects
            .iter()
            .map(|o| o.kind.as_str())
            .collect::<Vec<_>>(),
        ["ServiceAccount", "Service", "Deployment"]
    );
    assert_eq!(
        a.findings[0].severity,
        Severity::Critical,
        "most severe first"
    );
    let p = one(f, "k8s_privileged", "shop-web", Some("nginx"));
    assert_eq!(p.severity, Severity::Critical);
    assert_eq!(
        p.k8s.as_ref().unwrap().yaml_path,
        "spec.template.spec.containers[0].securityContext.privileged"
    );
    assert_eq!(p.evidence.lines, vec![53]);
    let fix = &p.k8s.as_ref().unwrap().fix;
    assert!(
        fix.starts_with("# kubectl patch deployment shop-web -n shop --type strategic"),
        "{fix}"
    );
    assert!(fix.contains("containers:\n        - name: nginx\n          securityContext:\n            privileged: false"), "{fix}");
    let sock = one(f, "k8s_host_path", "shop-web", Some("nginx"));
    assert_eq!(sock.severity, Severity::Critical);
    assert!(sock.title.contains("docker.sock"));
    let fix = &sock.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("- name: docker\n          hostPath: null\n          emptyDir: {}"),
        "{fix}"
    );
    let caps = one(f, "k8s_dangerous_capabilities", "shop-web", Some("nginx"));
    assert_eq!(caps.severity, Severity::High);
    let fix = &caps.k8s.as_ref().unwrap().fix;
    assert!(
        fix.contains("NET_BIND_SERVICE") && !fix.contains("NET_ADMIN") && fix.contains("- ALL"),
        "{fix}"
    );
    assert_eq!(
        one(f, "k8s_privilege_escalation", "shop-web", Some("nginx")).severity,
        Severity::High
    );
    assert_eq!(
        one(f, "k8s_latest_image", "shop-web", Some("nginx")).severity,
        Severity::Medium
    );
    let res = one(f, "k8s_missing_resources", "shop-web", Some("metrics"));
    assert!(
        res.title.contains("limits.cpu, limits.memory") && !res.title.contains("requests"),
        "{}",
        res.title
    );
    let single = one(f, "k8s_single_replica", "shop-web", None);
    assert_eq!(single.severity, Severity::Low);
    assert!(single.k8s.as_ref().unwrap().fix.contains("replicas: 2"));
    assert_eq!(
        one(f, "k8s_service_account_token", "shop-web", None).severity,
        Severity::Low
    );
    // Non-workloads produce nothing.
    assert!(f.iter().all(|x| x.k8s.as_ref().unwrap().kind != "Service"));
}

#[test]
fn statefulset_with_pod_level_root() {
    let a = audit(&fixture("statefulset.yaml")).unwrap();
    let f = &a.findings;
    let root = one(f, "k8s_run_as_root", "postgres", Some("postgres"));
    assert_eq!(root.severity, Severity::High);
    assert_eq!(
        root.evidence.lines,
        vec![18],
        "inherited from the pod securityContext"
    );
    // Postgres has a known port: probes are generated for it.
    let ready = one(
        f,
        "k8s_missing_readiness_probe",
        "postgres",
        Some("postgres"),
    );
    assert!(ready.k8s.as_ref().unwrap().fix.contains("port: 5432"));
    assert!(one(f, "k8s_secret_in_env", "postgres", Some("postgres"))
        .title
        .contains("POSTGRES_PASSWORD"));
    // A StatefulSet's replica count is reported, not changed.
    let single = one(f, "k8s_single_replica", "postgres", None);
    assert!(single.k8s.as_ref().unwrap().fix.is_empty());
}

#[test]
fn daemonset_node_agent() {
    let a = audit(&fixture("daemonset.yaml")).unwrap();
    let f = &a.findings;
    assert_eq!(
        one(f, "k8s_host_namespace", "node-exporter", None).severity,
        Severity::High
    );
    let hp = find(f, "k8s_host_path", "node-exporter", Some("node-exporter"));
    assert_eq!(hp.len(), 2);
    assert!(
        hp.iter().all(|x| x.severity == Severity::High),
        "/proc and /sys are sensitive even read-only"
    );
    assert!(hp.iter().any(|x| x.title.contains("/proc")));
    assert!(find(f, "k8s_single_replica", "node-exporter", None).is_empty());
}

#[test]
fn replicaset_keeps_existing_limits() {
    let a = audit(&fixture("replicaset.yaml")).unwrap();
    let res = one(
        &a.findings,
        "k8s_missing_resources",
        "frontend",
        Some("php-redis"),
    );
    assert!(
        res.title
            .ends_with("has no requests.cpu, requests.memory, limits.cpu"),
        "{}",
        res.title
    );
    let fix = &res.k8s.as_ref().unwrap().fix;
    // The request defaults to the existing limit, as Kubernetes itself would.
    assert!(
        fix.contains("memory: 128Mi") && !fix.contains("limits:\n                memory"),
        "{fix}"
    );
    assert_eq!(
        one(&a.findings, "k8s_single_replica", "frontend", None).severity,
        Severity::Low
    );
}

#[test]
fn job_and_cronjob() {
    let a = audit(&fixture("job.yaml")).unwrap();
    let f = &a.findings;
    assert!(
        find(f, "k8s_missing_liveness_probe", "db-migrate", None).is_empty(),
        "no probes for Jobs"
    );
    assert!(find(f, "k8s_single_replica", "db-migrate", None).is_empty());
    assert!(one(f, "k8s_secret_in_env", "db-migrate", Some("migrate"))
        .title
        .contains("DATABASE_URL"));

    let a = audit(&fixture("cronjob.yaml")).unwrap();
    let f = &a.findings;
    let sec = one(f, "k8s_secret_in_env", "backup", Some("backup"));
    assert!(sec.title.contains("AWS_ACCESS_KEY_ID") && sec.title.contains("AWS_SECRET_ACCESS_KEY"));
    assert!(sec
        .k8s
        .as_ref()
        .unwrap()
        .yaml_path
        .starts_with("spec.jobTemplate.spec.template.spec.containers[0].env[0]"));
    assert_eq!(
        one(f, "k8s_seccomp", "backup", Some("backup")).severity,
        Severity::Medium
    );
    assert_eq!(
        one(f, "k8s_latest_image", "backup", Some("backup")).severity,
        Severity::Medium
    );
    assert!(find(f, "k8s_missing_readiness_probe", "backup", None).is_empty());
}

#[test]
fn list_and_json() {
    let a = audit(&fixture("list.yaml")).unwrap();
    assert_eq!(a.objects.len(), 2);
    let live = one(
        &a.findings,
        "k8s_missing_liveness_probe",
        "ghost",
        Some("ghost"),
    );
    assert_eq!(
        live.k8s.as_ref().unwrap().namespace.as_deref(),
        Some("blog")
    );
    assert!(live.k8s.as_ref().unwrap().fix.contains("port: 2368"));
    assert!(
        find(&a.findings, "k8s_single_replica", "ghost", None).is_empty(),
        "replicas: 2"
    );

    let a = audit(&fixture("deployment.json")).unwrap();
    assert_eq!(a.input, K8sInputKind::Json);
    let root = one(&a.findings, "k8s_run_as_root", "api", Some("api"));
    assert_eq!(root.severity, Severity::High);
    assert!(root.evidence.lines[0] > 0);
    assert!(one(&a.findings, "k8s_secret_in_env", "api", Some("api"))
        .title
        .contains("JWT_SECRET"));
    assert!(one(&a.findings, "k8s_latest_image", "api", Some("api"))
        .title
        .contains("no tag"));
}

#[test]
fn hardened_manifest_yields_nothing() {
    let a = audit(&fixture("hardened.yaml")).unwrap();
    assert_eq!(a.objects.len(), 4);
    assert!(
        above_low(&a.findings).is_empty(),
        "{:#?}",
        above_low(&a.findings)
    );
    assert!(
        a.findings.is_empty(),
        "{:#?}",
        a.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}

#[test]
fn every_manifest_kind_is_checked() {
    let mut seen = Vec::new();
    for (_, text) in manifest_fixtures() {
        for f in audit(&text).unwrap().findings {
            seen.push(f.k8s.unwrap().kind);
        }
    }
    for kind in [
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "Job",
        "CronJob",
    ] {
        assert!(seen.iter().any(|k| k == kind), "no finding for a {kind}");
    }
    let all: Vec<String> = manifest_fixtures()
        .iter()
        .flat_map(|(_, t)| audit(t).unwrap().findings)
        .map(|f| f.kind)
        .collect();
    let mut all: Vec<&str> = all.iter().map(String::as_str).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(
        all,
        [
            "k8s_dangerous_capabilities",
            "k8s_host_namespace",
            "k8s_host_path",
            "k8s_latest_image",
            "k8s_missing_liveness_probe",
            "k8s_missing_readiness_probe",
            "k8s_missing_resources",
            "k8s_no_anti_affinity",
            "k8s_no_limitrange_quota",
            "k8s_no_network_policy",
            "k8s_privilege_escalation",
            "k8s_privileged",
            "k8s_run_as_root",
            "k8s_seccomp",
            "k8s_secret_in_env",
            "k8s_service_account_token",
            "k8s_single_replica",
            "k8s_writable_root_fs",
        ]
    );
}
