//! The shared kubeaudit samples (`shared/samples/k8s_manifests`, never copied into the repo): each file names its
//! insecure setting, `<auditor>__<fixture>.yml`. Files with `allowed` carry kubeaudit override labels: the finding
//! stays, at `low`, for the containers the label names.

mod common;

use common::*;
use logsieve_engine::{Finding, Severity};
use logsieve_k8s::{audit, fix};

fn samples() -> Vec<(String, String)> {
    let Some(dir) = samples_dir() else {
        eprintln!("shared samples not found (set LOGSIEVE_SHARED): skipped");
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".yml"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn sev(findings: &[Finding], kind: &str, container: &str) -> Vec<Severity> {
    findings
        .iter()
        .filter(|f| {
            f.kind == kind && f.k8s.as_ref().unwrap().container.as_deref() == Some(container)
        })
        .map(|f| f.severity)
        .collect()
}

#[test]
fn each_sample_reports_its_setting() {
    let samples = samples();
    if samples.is_empty() {
        return;
    }
    assert_eq!(samples.len(), 23);
    use Severity::*;
    for (name, text) in &samples {
        let a = audit(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = &a.findings;
        for x in f {
            assert_complete(x);
        }
        let c = "container";
        let (c1, c2) = ("container1", "container2");
        let expect: Vec<(&str, &str, Severity)> = match name.trim_end_matches(".yml") {
            "capabilities__capabilities-added" => vec![("k8s_dangerous_capabilities", c, High)],
            "capabilities__capabilities-nil" => vec![("k8s_dangerous_capabilities", c, Medium)],
            "image__image-tag-missing" => vec![("k8s_latest_image", c, Medium)],
            "limits__resources-limit-nil" | "limits__resources-limit-no-memory" => {
                vec![("k8s_missing_resources", c, Medium)]
            }
            "mounts__docker-sock-mounted" => vec![("k8s_host_path", c, Critical)],
            "mounts__proc-mounted" => vec![("k8s_host_path", c, High)],
            "mounts__proc-mounted-allowed" => vec![("k8s_host_path", c, Low)],
            "mounts__proc-mounted-allowed-multi-containers-multi-labels" => {
                vec![("k8s_host_path", c1, Low), ("k8s_host_path", c2, Low)]
            }
            "mounts__proc-mounted-allowed-multi-containers-single-label" => {
                vec![("k8s_host_path", c1, Low), ("k8s_host_path", c2, High)]
            }
            "nonroot__run-as-non-root-nil" => vec![("k8s_run_as_root", c, Medium)],
            "nonroot__run-as-user-0" => vec![("k8s_run_as_root", c, High)],
            "privileged__privileged-true" => vec![("k8s_privileged", c, Critical)],
            "privileged__privileged-true-allowed" => vec![("k8s_privileged", c, Low)],
            "privileged__privileged-true-allowed-multi-containers-multi-labels" => {
                vec![("k8s_privileged", c1, Low), ("k8s_privileged", c2, Low)]
            }
            "privileged__privileged-true-allowed-multi-containers-single-label" => vec![
                ("k8s_privileged", c1, Critical),
                ("k8s_privileged", c2, Low),
            ],
            "rootfs__read-only-root-filesystem-false" => vec![("k8s_writable_root_fs", c, Medium)],
            "rootfs__read-only-root-filesystem-false-allowed" => {
                vec![("k8s_writable_root_fs", c, Low)]
            }
            "rootfs__read-only-root-filesystem-false-allowed-multi-labels" => vec![
                ("k8s_writable_root_fs", c1, Low),
                ("k8s_writable_root_fs", c2, Low),
            ],
            "rootfs__read-only-root-filesystem-false-allowed-single-label" => vec![
                ("k8s_writable_root_fs", c1, Low),
                ("k8s_writable_root_fs", c2, Medium),
            ],
            "seccomp__seccomp-profile-missing" | "seccomp__seccomp-profile-missing-annotations" => {
                vec![]
            }
            "seccomp__seccomp-profile-missing-disabled-container" => {
                vec![("k8s_seccomp", c, Medium)]
            }
            other => panic!("unexpected sample {other}"),
        };
        for (kind, container, severity) in expect {
            assert_eq!(
                sev(f, kind, container),
                vec![severity],
                "{name}: {kind} on {container}"
            );
        }
        if name.starts_with("seccomp__seccomp-profile-missing") && !name.contains("disabled") {
            let s: Vec<&Finding> = f.iter().filter(|x| x.kind == "k8s_seccomp").collect();
            assert_eq!(s.len(), 1, "{name}");
            assert_eq!(s[0].severity, Low);
            if name.contains("annotations") {
                assert!(
                    s[0].summary.contains("1.27"),
                    "the removed annotation is called out: {}",
                    s[0].summary
                );
            }
        }
        if name.contains("limit-no-memory") {
            let r = f
                .iter()
                .find(|x| x.kind == "k8s_missing_resources")
                .unwrap();
            assert!(
                r.title.contains("limits.memory") && !r.title.contains("limits.cpu"),
                "{}",
                r.title
            );
        }
        if name.contains("allowed") {
            let allowed: Vec<&Finding> = f
                .iter()
                .filter(|x| x.summary.starts_with("Allowed by the override label"))
                .collect();
            assert!(!allowed.is_empty(), "{name}: the override label is named");
            assert!(
                allowed
                    .iter()
                    .all(|x| x.k8s.as_ref().unwrap().fix.is_empty()),
                "{name}: no fix for an allowed setting"
            );
        }
    }
}

#[test]
fn fixed_samples_have_nothing_above_low() {
    for (name, text) in samples() {
        let fixed = fix(&text).unwrap();
        let after = audit(&fixed).unwrap();
        assert!(
            above_low(&after.findings).is_empty(),
            "{name}: {:#?}\n{fixed}",
            above_low(&after.findings)
        );
        assert_eq!(fix(&fixed).unwrap(), fixed, "{name}: not idempotent");
    }
}
