//! What to do about each kind of finding: a hotfix (stop the bleeding now), a long-term fix (make it not happen
//! again), and commands that confirm the diagnosis on the host.

/// What the advice may mention.
#[derive(Debug, Default, Clone)]
pub struct Ctx {
    /// The flavour (`Java heap space`, `HikariCP`, `upstream (proxy) timeout`).
    pub flavor: String,
    /// The main subject: a pool name, a host, a `host:port`, a killed process, a service.
    pub subject: Option<String>,
    /// The first application frame of the usual stack trace.
    pub app_frame: Option<String>,
    /// The template that rose most before the failure (redacted), if any.
    pub precursor: Option<String>,
    /// A size read from the log (pool size, thread count).
    pub size: Option<u64>,
}

pub struct Advice {
    pub hotfix: Vec<String>,
    pub long_term: Vec<String>,
    pub commands: Vec<String>,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

pub fn for_kind(kind: &str, c: &Ctx) -> Advice {
    let subject = c.subject.as_deref().unwrap_or("");
    let frame = c.app_frame.as_deref();
    let pre = c.precursor.as_deref();
    let flavor = c.flavor.as_str();
    match kind {
        "oom" => {
            let kernel = flavor.contains("kernel") || flavor.contains("cgroup") || flavor.contains("OOMKilled");
            let java = flavor.contains("Java") || flavor.contains("Metaspace") || flavor.contains("GC overhead") || flavor.contains("native thread") || flavor.contains("buffer");
            let dotnet = flavor.contains(".NET");
            let mut hotfix = Vec::new();
            if kernel {
                hotfix.push("Raise the memory limit of the killed process/container (cgroup `memory.max`, Kubernetes `resources.limits.memory`) or move it to a node with free memory".to_string());
            }
            if java {
                hotfix.push("Restart the JVM with a larger heap (`-Xmx`, or `-XX:MaxRAMPercentage=75` in containers) and `-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp` so that the next occurrence leaves a dump".to_string());
            }
            if dotnet {
                hotfix.push("Restart the service with more memory (container limit; `DOTNET_GCHeapHardLimit` if set) and enable a dump on crash (`DOTNET_DbgEnableMiniDump=1`)".to_string());
            }
            if hotfix.is_empty() {
                hotfix.push("Restart the process with more memory and keep it under watch; shed the load that preceded the failure".to_string());
            }
            if let Some(p) = pre {
                hotfix.push(format!("Throttle or cap what surged before the failure: {p}"));
            }
            let mut long_term = s(&[
                "Find what holds the memory: analyse a heap dump (Eclipse MAT, `dotnet-gcdump`, `pprof`) taken near the limit",
                "Bound every cache and queue (size limits, eviction) and stream large results instead of materialising them",
                "Set requests/limits from measured peak usage plus headroom and alert at 80 % of the limit",
            ]);
            if let Some(f) = frame {
                long_term.insert(0, format!("Review the allocation path at {f}"));
            }
            let mut commands = Vec::new();
            if kernel {
                commands.extend(s(&[
                    "dmesg -T | grep -iE 'killed process|out of memory|oom-kill'",
                    "journalctl -k --since '-2h' | grep -i oom",
                    "free -m && ps aux --sort=-rss | head -15",
                    "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.events 2>/dev/null",
                    "kubectl describe pod POD | grep -A4 'Last State'   # Reason: OOMKilled",
                ]));
            }
            if java || (!kernel && !dotnet) {
                commands.extend(s(&[
                    "jcmd PID GC.heap_info",
                    "jstat -gcutil PID 1000 10",
                    "jmap -histo:live PID | head -30",
                ]));
            }
            if dotnet {
                commands.extend(s(&["dotnet-counters monitor -p PID System.Runtime", "dotnet-gcdump collect -p PID"]));
            }
            Advice { hotfix, long_term, commands }
        }
        "fd_exhaustion" => {
            let mut hotfix = s(&[
                "Raise the open-file limit and restart: `LimitNOFILE=65535` in the systemd unit (or `ulimit -n 65535` in the start script; `nofile` in /etc/security/limits.conf)",
            ]);
            if flavor.contains("system-wide") {
                hotfix.push("Raise the system-wide table: `sysctl -w fs.file-max=2097152` (and persist it in /etc/sysctl.d)".to_string());
            }
            if let Some(p) = pre {
                hotfix.push(format!("Stop the leak's source for now (disable or rate-limit it): {p}"));
            }
            let mut long_term = s(&[
                "Reuse connections: one shared HTTP/SDK client with a bounded connection pool and keep-alive, instead of a new client (and socket) per request",
                "Close every stream, socket and response body (try-with-resources / `using` / `defer`); check for descriptors leaked on error paths",
                "Alert on open descriptors per process (e.g. `process_open_fds / process_max_fds > 0.8`)",
            ]);
            if let Some(f) = frame {
                long_term.insert(0, format!("Fix the code that opens the descriptors: {f}"));
            }
            let commands = s(&[
                "ulimit -n",
                "cat /proc/PID/limits | grep 'open files'",
                "ls /proc/PID/fd | wc -l",
                "lsof -p PID | awk '{print $5}' | sort | uniq -c | sort -rn | head",
                "ss -s",
                "ss -tanp | grep PID | awk '{print $1}' | sort | uniq -c",
                "ss -tan state time-wait | wc -l",
                "sysctl fs.file-nr fs.file-max",
            ]);
            Advice { hotfix, long_term, commands }
        }
        "db_pool_exhausted" => {
            let pool = if subject.is_empty() { "the pool".to_string() } else { subject.to_string() };
            let size = c.size.map(|n| format!(" (now {n})")).unwrap_or_default();
            let mut hotfix = vec![format!(
                "Raise {pool}'s maximum size{size} within what the database allows (`spring.datasource.hikari.maximum-pool-size`, Druid `maxActive`, `Max Pool Size=` in the connection string), and restart"
            )];
            if let Some(p) = pre {
                hotfix.push(format!("Cap the load that surged before the failure (rate-limit or cap sessions): {p}"));
            }
            hotfix.push("Kill long-running or idle-in-transaction sessions holding connections on the database side".to_string());
            let mut long_term = s(&[
                "Hold connections briefly: no remote calls or user think-time inside a transaction; move writes off the request path (queue + batch worker)",
                "Size the pool from measured concurrency (Little's law: connections ≈ requests/s × query time) and keep the database's max_connections above the sum of all pools",
                "Set `leakDetectionThreshold` (Hikari) / `removeAbandoned` (Druid, DBCP) to catch connections never returned",
                "Alert on pool usage (`hikaricp_connections_pending > 0`, active/max > 0.8)",
            ]);
            if let Some(f) = frame {
                long_term.insert(0, format!("Review the statement issued at {f}: index it, batch it, or take it out of the hot path"));
            }
            let commands = s(&[
                "curl -s localhost:8080/actuator/metrics/hikaricp.connections.pending",
                "jstack PID | grep -B2 -A12 'getConnection' | head -60",
                "psql -c \"SELECT state, count(*) FROM pg_stat_activity GROUP BY state;\"",
                "mysql -e \"SHOW PROCESSLIST; SHOW STATUS LIKE 'Threads_connected';\"",
                "ss -tanp | grep -E ':5432|:3306|:1433' | wc -l",
            ]);
            Advice { hotfix, long_term, commands }
        }
        "thread_pool_exhausted" => {
            let mut hotfix = s(&[
                "Raise the pool or queue size a notch (Tomcat `server.tomcat.threads.max`, executor `maxPoolSize`/`queueCapacity`) and restart",
                "Shed load at the edge (rate limit, 503 with Retry-After) rather than queueing without bound",
            ]);
            if let Some(p) = pre {
                hotfix.push(format!("Cap the traffic that surged first: {p}"));
            }
            let mut long_term = s(&[
                "Find what the busy threads wait on (slow DB, remote calls) and put timeouts and bulkheads around it",
                "Move slow work to asynchronous processing; give each downstream its own bounded executor",
                "Alert on active threads / max and on rejected tasks",
            ]);
            if let Some(f) = frame {
                long_term.insert(0, format!("Check the task submitted at {f}"));
            }
            let commands = s(&[
                "jstack PID > /tmp/threads.txt; grep -c 'java.lang.Thread.State' /tmp/threads.txt",
                "jstack PID | grep -A1 '^\"' | grep 'State' | sort | uniq -c",
                "top -H -p PID",
                "curl -s localhost:8080/actuator/metrics/executor.active",
            ]);
            Advice { hotfix, long_term, commands }
        }
        "timeout" => {
            let target = if subject.is_empty() { "the slow dependency".to_string() } else { subject.to_string() };
            let hotfix = vec![
                format!("Check that {target} is up and not overloaded; fail over or scale it out"),
                "Fail fast: shorten client timeouts for non-critical calls and open a circuit breaker instead of stacking waiting requests".to_string(),
                if flavor.contains("upstream") || flavor.contains("gateway") {
                    "If the upstream is slow but healthy, raise `proxy_read_timeout` for that location only".to_string()
                } else {
                    "Retry idempotent calls once with jitter; do not retry blindly under overload".to_string()
                },
            ];
            let long_term = s(&[
                "Set explicit connect/read timeouts on every client, shorter than the caller's own deadline, and propagate deadlines",
                "Add circuit breakers and bulkheads per dependency; measure its latency percentiles and alert on p99",
                "Remove slow work from the request path (queues, caching, pagination)",
            ]);
            let commands = vec![
                format!("curl -s -o /dev/null -w 'connect %{{time_connect}} ttfb %{{time_starttransfer}} total %{{time_total}}\\n' http://{}/", if subject.is_empty() { "HOST:PORT" } else { subject }),
                "ss -tan state syn-sent | head".to_string(),
                format!("mtr -rwc 20 {}", subject.split(':').next().filter(|x| !x.is_empty()).unwrap_or("HOST")),
                "grep -c 'upstream timed out' /var/log/nginx/error.log".to_string(),
            ];
            Advice { hotfix, long_term, commands }
        }
        "connection_refused" => {
            let target = if subject.is_empty() { "HOST:PORT".to_string() } else { subject.to_string() };
            let (host, port) = target.rsplit_once(':').unwrap_or((&target, "PORT"));
            Advice {
                hotfix: vec![
                    format!("Bring the service at {target} back (nothing is listening there): check its process/pod and restart it"),
                    "Check that the client points at the right host and port (config, service discovery, DNS)".to_string(),
                ],
                long_term: s(&[
                    "Health-check the dependency and remove it from rotation when down; retry with backoff instead of failing every request",
                    "Start dependents only when their dependencies are ready (readiness probes, `depends_on: condition: service_healthy`)",
                    "Alert on the dependency's availability, not only on its clients' errors",
                ]),
                commands: vec![
                    format!("nc -zv {host} {port}"),
                    format!("ss -ltnp | grep ':{port}'"),
                    "systemctl status SERVICE".to_string(),
                    "kubectl get endpoints SERVICE".to_string(),
                ],
            }
        }
        "deadlock" => Advice {
            hotfix: s(&[
                "Retry the transaction that was chosen as the deadlock victim (it was rolled back)",
                "If one job keeps colliding with the request path, pause or reschedule it",
            ]),
            long_term: s(&[
                "Acquire locks in one consistent order in every code path (e.g. sort ids before updating several rows)",
                "Keep transactions short and index the columns in WHERE clauses of UPDATE/DELETE so that fewer rows are locked",
                "For JVM deadlocks: avoid nested synchronized blocks; use tryLock with timeouts",
            ]),
            commands: s(&[
                "mysql -e 'SHOW ENGINE INNODB STATUS\\G' | sed -n '/LATEST DETECTED DEADLOCK/,/TRANSACTIONS/p'",
                "psql -c \"SELECT pid, wait_event_type, state, query FROM pg_stat_activity WHERE wait_event_type = 'Lock';\"",
                "jstack -l PID | grep -A30 'Found one Java-level deadlock'",
            ]),
        },
        "disk_full" => Advice {
            hotfix: s(&[
                "Free space now: remove rotated logs, old dumps and temp files; truncate (do not delete) files still held open",
                "Extend the volume if it is close to the limit again",
            ]),
            long_term: s(&[
                "Rotate and cap logs (logrotate `maxsize`, Docker `max-size`, journald `SystemMaxUse`)",
                "Alert on disk and inode usage at 80 % and forecast growth",
                "Keep data, logs and the OS on separate volumes",
            ]),
            commands: s(&[
                "df -h && df -i",
                "du -xh / --max-depth=2 2>/dev/null | sort -rh | head -20",
                "lsof +L1   # deleted files still open",
                "journalctl --disk-usage; docker system df",
            ]),
        },
        "dns_failure" => {
            let host = if subject.is_empty() { "HOST" } else { subject };
            Advice {
                hotfix: vec![
                    format!("Check that `{host}` is spelled right and still exists; fix the name in the configuration"),
                    "If the resolver is failing, restart it (systemd-resolved, CoreDNS) or point /etc/resolv.conf at a working one".to_string(),
                ],
                long_term: s(&[
                    "Cache DNS answers in the client (respect TTL; the JVM's `networkaddress.cache.ttl`) and add a node-local DNS cache",
                    "Monitor the resolver (CoreDNS errors, latency) and the names your service depends on",
                ]),
                commands: vec![
                    format!("dig +short {host}"),
                    format!("getent hosts {host}"),
                    "cat /etc/resolv.conf; resolvectl status".to_string(),
                    "kubectl -n kube-system logs -l k8s-app=kube-dns --tail=100".to_string(),
                ],
            }
        }
        "tls_error" => {
            let host = if subject.is_empty() { "HOST" } else { subject.split(':').next().unwrap_or(subject) };
            let mut hotfix = Vec::new();
            if flavor.contains("expired") {
                hotfix.push(format!("Renew the expired certificate of {host} and reload the server"));
            } else if flavor.contains("untrusted") {
                hotfix.push("Install the missing intermediate/CA certificate in the server chain or the client trust store (never disable verification)".to_string());
            } else {
                hotfix.push(format!("Check the certificate, chain and protocol versions that {host} offers"));
            }
            hotfix.push("Check the clock on both sides (`timedatectl`): skew makes valid certificates look expired".to_string());
            Advice {
                hotfix,
                long_term: s(&[
                    "Automate renewal (ACME / cert-manager) and alert 21 days before expiry",
                    "Serve the full chain; keep client trust stores current; agree on TLS 1.2+ with modern ciphers",
                ]),
                commands: vec![
                    format!("openssl s_client -connect {host}:443 -servername {host} -showcerts </dev/null | openssl x509 -noout -dates -subject -issuer"),
                    format!("curl -vI https://{host}/"),
                    "timedatectl".to_string(),
                    "keytool -list -cacerts | grep -i ALIAS".to_string(),
                ],
            }
        }
        "crash_loop" => {
            let mut hotfix = s(&[
                "Stop the loop to get a stable state: roll back the last deploy or configuration change",
                "Read the first error of each start attempt (`kubectl logs --previous`, `journalctl -u`) and fix that cause (missing config, unreachable dependency, bad migration)",
            ]);
            if !subject.is_empty() {
                hotfix.insert(0, format!("Look at why {subject} exits during start-up"));
            }
            Advice {
                hotfix,
                long_term: s(&[
                    "Validate configuration and dependencies before rollout; fail readiness, not liveness, while a dependency is down",
                    "Give slow starts a startup probe instead of a tight liveness probe",
                    "Alert on restart counts (`kube_pod_container_status_restarts_total`, systemd `NRestarts`)",
                ]),
                commands: s(&[
                    "kubectl get pods -o wide | grep -E 'CrashLoopBackOff|Error'",
                    "kubectl logs POD --previous --tail=200",
                    "kubectl describe pod POD | grep -A8 'Last State'",
                    "systemctl status SERVICE; journalctl -u SERVICE -n 200 --no-pager",
                ]),
            }
        }
        "error_burst" => {
            let mut hotfix = s(&[
                "Check what changed at the onset: deploys, configuration, traffic, dependencies",
                "If errors persist, roll back the latest change or fail over",
            ]);
            if let Some(p) = pre {
                hotfix.insert(0, format!("Contain what rose before the onset: {p}"));
            }
            Advice {
                hotfix,
                long_term: s(&[
                    "Alert on the error rate against its baseline (as found here) rather than on a fixed count",
                    "Add the precursor signal to dashboards: it moved before the errors did",
                ]),
                commands: s(&[
                    "kubectl get events -A --sort-by=.lastTimestamp | tail -30",
                    "kubectl rollout history deploy/APP",
                    "journalctl --since 'ONSET-10min' --until 'ONSET+10min' -p err",
                    "uptime; vmstat 1 5; ss -s",
                ]),
            }
        }
        "exception" => {
            let mut long_term = s(&[
                "Handle the exception where it can be handled (validate input, handle absent values) and add a test that reproduces it",
                "Group and track this signature in the error tracker; alert when its rate changes",
            ]);
            if let Some(f) = frame {
                long_term.insert(0, format!("Fix the code at {f}"));
            }
            Advice {
                hotfix: s(&[
                    "Find the request or input that triggers it (first occurrence's context) and block or work around it",
                    "If it started with a deploy, roll back",
                ]),
                long_term,
                commands: vec![format!(
                    "grep -n '{}' FILE | head",
                    subject.replace('\'', "")
                )],
            }
        }
        _ => Advice {
            hotfix: Vec::new(),
            long_term: Vec::new(),
            commands: Vec::new(),
        },
    }
}

/// Advice for the security kinds; `ips` are the offending clients.
pub fn for_security(kind: &str, ips: &[String], succeeded: bool) -> Advice {
    let list = ips.iter().take(5).cloned().collect::<Vec<_>>().join(" ");
    let block = if ips.is_empty() {
        "Block the offending clients at the firewall or WAF".to_string()
    } else {
        format!("Block the offending clients at the edge: `for ip in {list}; do iptables -I INPUT -s $ip -j DROP; done` (or a WAF/ingress deny rule)")
    };
    let first_ip = ips.first().map(String::as_str).unwrap_or("IP");
    let confirm_ip = format!("grep -c '^{first_ip} ' /var/log/nginx/access.log");
    let statuses = format!(
        "awk '$1 == \"{first_ip}\" {{print $9}}' /var/log/nginx/access.log | sort | uniq -c"
    );
    match kind {
        "sql_injection" => Advice {
            hotfix: {
                let mut v = vec![block, "Enable the WAF's SQL-injection rules (e.g. OWASP CRS 942xxx) in blocking mode".to_string()];
                if succeeded {
                    v.push("Some attack requests were answered 2xx: check those endpoints for injectable parameters and audit the database for unexpected reads/writes".to_string());
                }
                v
            },
            long_term: s(&[
                "Use parameterised queries / prepared statements everywhere; never concatenate request input into SQL",
                "Run the application's database user with least privilege",
                "Add SAST/DAST (e.g. sqlmap in CI against staging) for the targeted endpoints",
            ]),
            commands: vec![confirm_ip, statuses, "grep -iE 'union.{0,40}select|sleep\\(|information_schema|%27' /var/log/nginx/access.log | awk '{print $1}' | sort | uniq -c | sort -rn | head".to_string()],
        },
        "xss_attempt" => Advice {
            hotfix: vec![block, "Enable the WAF's XSS rules (OWASP CRS 941xxx)".to_string()],
            long_term: s(&[
                "Encode output by context (HTML, attribute, JS, URL) with the framework's templating; never inject raw input",
                "Set a strict Content-Security-Policy and HttpOnly/SameSite cookies",
            ]),
            commands: vec![confirm_ip, "grep -iE '%3Cscript|<script|onerror%3D|javascript:' /var/log/nginx/access.log | wc -l".to_string()],
        },
        "path_traversal" => Advice {
            hotfix: {
                let mut v = vec![block];
                if succeeded {
                    v.push("Traversal requests were answered 2xx: check what was served (response sizes) and rotate any secrets in files that may have been read".to_string());
                }
                v.push("Deny `..` and encoded dots in paths at the proxy (`location ~ \\.\\. { return 400; }`)".to_string());
                v
            },
            long_term: s(&[
                "Resolve requested paths against an allow-list or canonicalise and check they stay under the served root",
                "Run the service as an unprivileged user without read access to system files",
            ]),
            commands: vec![confirm_ip, statuses, "grep -E '\\.\\./|%2e%2e|/etc/passwd' /var/log/nginx/access.log | awk '{print $9}' | sort | uniq -c".to_string()],
        },
        "command_injection" => Advice {
            hotfix: {
                let mut v = vec![block, "Patch Log4j (≥ 2.17.1) and Bash (Shellshock) if the targets run them; set `log4j2.formatMsgNoLookups=true` as a stopgap".to_string()];
                if succeeded {
                    v.push("Some payloads were answered 2xx: look for unexpected processes, outbound connections and new files on the host".to_string());
                }
                v
            },
            long_term: s(&[
                "Never pass request input to a shell; use exec with argument arrays and allow-lists",
                "Egress-filter servers so that injected `wget`/`curl` cannot fetch payloads",
            ]),
            commands: vec![
                confirm_ip,
                "ps -ef --forest | grep -vE '\\[.*\\]' | head -50".to_string(),
                "ss -tanp state established | grep -vE ':(80|443) '".to_string(),
                "find /tmp /var/tmp /dev/shm -newer /etc/hostname -type f 2>/dev/null | head".to_string(),
            ],
        },
        "scanner" => Advice {
            hotfix: vec![block, "Rate-limit clients by 404 count at the edge (fail2ban nginx-botsearch, WAF bot rules)".to_string()],
            long_term: s(&[
                "Do not expose admin consoles, `.git`, `.env`, backups or actuator endpoints to the internet",
                "Keep a WAF with scanner-signature rules in front of public services",
            ]),
            commands: vec![confirm_ip, statuses, "awk '$9 == 404 {print $1}' /var/log/nginx/access.log | sort | uniq -c | sort -rn | head".to_string()],
        },
        "auth_failure_burst" => Advice {
            hotfix: {
                let mut v = vec![block, "Enable fail2ban (sshd jail, web login jail) or a rate limit on the login endpoint".to_string()];
                if succeeded {
                    v.insert(0, "A login succeeded from an address that had been failing: treat the account as compromised — lock it, rotate its credentials, and review that session's activity".to_string());
                }
                v
            },
            long_term: s(&[
                "SSH: key-only authentication (`PasswordAuthentication no`), no root login, access via VPN or a bastion",
                "Web logins: MFA, lockout with backoff, and alerts on failure bursts per client and per account",
            ]),
            commands: vec![
                "grep -E 'Failed password|Invalid user' /var/log/auth.log | grep -oE 'from [0-9.]+' | sort | uniq -c | sort -rn | head".to_string(),
                format!("grep 'Accepted' /var/log/auth.log | grep '{first_ip}'"),
                "lastb -i | head -20; last -i | head -20".to_string(),
                "fail2ban-client status sshd".to_string(),
            ],
        },
        _ => Advice {
            hotfix: Vec::new(),
            long_term: Vec::new(),
            commands: Vec::new(),
        },
    }
}

/// Advice for a leaked secret or personal data of type `label`.
pub fn for_exposure(secret: bool, label: &str) -> Advice {
    if secret {
        let rotate = match label {
            "aws-key" | "aws-secret" => "Deactivate and rotate the AWS access key now (`aws iam update-access-key --status Inactive`), then check CloudTrail for its use",
            "github-token" | "gitlab-token" => "Revoke the token in the VCS settings now and review the audit log for its use",
            "slack-token" | "slack-webhook" | "discord-webhook" | "teams-webhook" | "dingtalk-webhook" | "wecom-webhook" | "feishu-webhook" | "telegram-token" => "Regenerate the webhook/bot token in the chat platform; anyone with it can post as the bot",
            "stripe-key" | "stripe-test-key" | "stripe-webhook-secret" | "square-token" => "Roll the payment key in the provider's dashboard and review recent API activity",
            "openai-key" | "anthropic-key" | "groq-key" | "huggingface-token" | "perplexity-key" | "xai-key" | "gcp-api-key" => "Revoke the API key in the provider console and set a spending limit; review its usage",
            "private-key" => "Treat the private key as compromised: issue a new key pair and revoke certificates or authorised keys that use it",
            "jwt" | "bearer-token" | "token" | "authorization" | "basic-auth" => "Invalidate the sessions/tokens (shorten their lifetime, rotate the signing key if needed)",
            _ => "Rotate the exposed credential now and check where it was used",
        };
        Advice {
            hotfix: vec![
                rotate.to_string(),
                "Restrict access to these logs and purge or redact the affected lines in the log store and its backups (`logsieve redact`)".to_string(),
            ],
            long_term: s(&[
                "Mask secrets at the source: logging filters/redaction (e.g. Logback masking pattern, Serilog destructuring policies), never log full headers, URLs with credentials or request bodies",
                "Keep secrets in a secret manager and inject them at runtime; scan logs and repositories for secrets in CI (gitleaks)",
            ]),
            commands: vec![
                "grep -rlE 'AKIA|ghp_|glpat-|xox[bp]-|sk-|eyJ|BEGIN .*PRIVATE KEY|password=' /var/log/APP/ | head".to_string(),
                "logsieve redact FILE > FILE.redacted".to_string(),
            ],
        }
    } else {
        Advice {
            hotfix: s(&[
                "Restrict access to these logs; redact the stored copies (`logsieve redact`) if they leave the trusted zone",
            ]),
            long_term: s(&[
                "Log identifiers (user id) instead of personal data; mask e-mails/phones/ID and card numbers in the logging layer",
                "Set a retention period for logs that may hold personal data (GDPR/PIPL) and never log full card numbers (PCI DSS)",
            ]),
            commands: vec![format!("logsieve redact FILE | diff <(cat FILE) - | grep -c '<{label}>'")],
        }
    }
}
