//! Target of the k8s crate: detection, the audit and the fix writer on YAML, JSON and kubectl text.

use crate::Params;

/// Heads that put an input on one of the audit's paths (chosen by bits 3–5 of the flags; 0: the input as it is).
const HEADS: [&str; 8] = [
    "",
    "apiVersion: v1\nkind: Pod\n",
    "apiVersion: apps/v1\nkind: Deployment\n",
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",",
    "NAME                     READY   STATUS             RESTARTS   AGE\n",
    "LAST SEEN   TYPE      REASON      OBJECT          MESSAGE\n",
    "Name:         web-0\nNamespace:    default\n",
    "---\napiVersion: v1\nkind: List\nitems:\n",
];

/// Detects, audits and fixes the input as `logsieve analyze` and `logsieve k8s-fix` do. Findings serialize, each
/// carries its target; a manifest written back by the fix is still Kubernetes input that audits without error.
pub fn k8s(data: &[u8]) {
    let p = Params::new(data);
    let head = HEADS[((p.flags() >> 3) & 7) as usize];
    let text = format!("{head}{}", String::from_utf8_lossy(p.body));
    let kind = logsieve_k8s::detect(&text);
    let audit = logsieve_k8s::audit(&text);
    match (&kind, &audit) {
        (None, Ok(_)) => panic!("audit succeeded on input detect() rejects"),
        (Some(_), Err(logsieve_k8s::K8sError::NotKubernetes)) => {
            panic!("audit says NotKubernetes on input detect() accepts")
        }
        _ => {}
    }
    if let Ok(a) = &audit {
        serde_json::to_string(a).expect("audit serializes");
        let _ = a.max_severity();
        for f in &a.findings {
            assert!(f.k8s.is_some(), "k8s finding {} without its target", f.kind);
        }
    }
    if let Ok(fixed) = logsieve_k8s::fix(&text) {
        assert!(
            logsieve_k8s::detect(&fixed).is_some(),
            "the fixed manifest is no longer detected as Kubernetes:\n{fixed}"
        );
        if let Err(e) = logsieve_k8s::audit(&fixed) {
            panic!("the fixed manifest does not audit ({e}):\n{fixed}");
        }
    }
}
