//! HTTP: authentication, limits, faults, routing and the responses of every endpoint.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::MockConfig;
use super::MockStats;
use super::error::ApiError;
use super::faults::FaultKind;
use super::json;
use super::limits::{Limits, Verdict};
use super::org::people::PersonKind;
use super::org::training::{EnrollmentFields, EnrollmentFilter};
use super::org::{Org, Roster};
use super::pages::{self, CursorCtx, MAX_PER_PAGE, Query};
use super::rng::{guid, hash, tag};

/// The campaigns page cap the API applies unless `exclude_percentages=true` is sent.
const TRAINING_CAMPAIGNS_CAP: u64 = 10;

pub struct App {
    pub org: Org,
    pub config: MockConfig,
    limits: Limits,
    pub stats: Mutex<MockStats>,
    counter: AtomicU64,
}

/// A successful body plus the cursor header it may carry.
struct Reply {
    body: Vec<u8>,
    next_cursor: Option<String>,
}

impl Reply {
    fn one(body: Vec<u8>) -> Self {
        Reply {
            body,
            next_cursor: None,
        }
    }
}

fn render_one(write: impl FnOnce(&mut Vec<u8>)) -> Result<Reply, ApiError> {
    let mut body = Vec::with_capacity(2048);
    write(&mut body);
    Ok(Reply::one(body))
}

fn parse_id(s: &str) -> Result<u64, ApiError> {
    // Ids are digits only; anything else names no resource.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::not_found());
    }
    s.parse().map_err(|_| ApiError::not_found())
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn error_response(e: &ApiError) -> Response {
    json_response(e.status, e.body())
}

fn accepts_json(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return true;
    }
    values
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let media = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            media.is_empty()
                || media == "*/*"
                || media == "application/*"
                || media == "application/json"
                || media.ends_with("+json")
        })
}

/// The bearer token, if the header is well formed and non-empty.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

impl App {
    pub fn new(config: MockConfig) -> App {
        let org = Org::at(config.seed, &config.org, config.day);
        let quota = config
            .daily_quota
            .or_else(|| (!config.rate_limit.is_off()).then(|| 2000 + org.spec.active_users));
        App {
            limits: Limits::new(config.rate_limit.clone(), quota),
            org,
            config,
            stats: Mutex::new(MockStats::default()),
            counter: AtomicU64::new(0),
        }
    }

    pub(super) fn stats(&self) -> std::sync::MutexGuard<'_, MockStats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn request_id(&self, n: u64) -> String {
        let seed = self.config.seed;
        guid(
            hash(seed, tag("request-id"), n),
            hash(seed, tag("request-id-b"), n),
        )
    }

    pub(super) async fn respond(
        &self,
        method: &Method,
        path: &str,
        raw_query: Option<&str>,
        headers: &HeaderMap,
        key: &str,
        seen: u64,
    ) -> Response {
        let token = match (bearer(headers), &self.config.token) {
            (Some(t), Some(expected)) if t == expected => t,
            (Some(t), None) => t,
            _ if self.config.invalid_token_quirk => {
                return json_response(StatusCode::OK, br#"{"message":"Invalid Token"}"#.to_vec());
            }
            _ => {
                return error_response(&ApiError::new(StatusCode::UNAUTHORIZED, "Invalid Token"));
            }
        };
        let now_day = crate::timefmt::utc_day_of(SystemTime::now());
        match self.limits.check(token, Instant::now(), now_day) {
            Verdict::Admit => {}
            verdict => {
                self.stats().rate_limited += 1;
                let msg = if verdict == Verdict::QuotaSpent {
                    "API daily quota exceeded"
                } else {
                    "Rate limit exceeded"
                };
                return error_response(&ApiError::new(StatusCode::TOO_MANY_REQUESTS, msg));
            }
        }
        let fault = self.config.faults.decide(self.config.seed, key, seen);
        if let Some(kind) = fault {
            self.stats().faults_injected += 1;
            tracing::debug!(fault = kind.name(), path = key, "mock fault injected");
            let status_fault = match kind {
                FaultKind::ServerError => {
                    Some((StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"))
                }
                FaultKind::Unavailable => Some((
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable: down for maintenance",
                )),
                FaultKind::TooManyRequests => {
                    Some((StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded"))
                }
                FaultKind::Slow => {
                    tokio::time::sleep(self.config.faults.delay).await;
                    None
                }
                _ => None,
            };
            if let Some((status, msg)) = status_fault {
                return error_response(&ApiError::new(status, msg));
            }
        }
        let result = if method != Method::GET {
            Err(ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
            ))
        } else if !accepts_json(headers) {
            Err(ApiError::new(
                StatusCode::NOT_ACCEPTABLE,
                "Not Acceptable: only application/json is available",
            ))
        } else {
            Query::parse(raw_query).and_then(|q| self.route(path, &q))
        };
        let (status, body, next_cursor) = match result {
            Ok(r) => (StatusCode::OK, r.body, r.next_cursor),
            Err(e) => (e.status, e.body(), None),
        };
        let mut resp = match fault {
            Some(FaultKind::Drop) => self.dropped(body, key, seen),
            Some(FaultKind::Malformed) => self.malformed(key, seen),
            Some(FaultKind::Truncated) => {
                let cut = body.len() * 2 / 3;
                json_response(StatusCode::OK, body[..cut].to_vec())
            }
            _ => json_response(status, body),
        };
        let intact = matches!(fault, None | Some(FaultKind::Slow));
        if let Some(c) = next_cursor.filter(|_| intact)
            && let Ok(v) = HeaderValue::from_str(&c)
        {
            resp.headers_mut().insert("x-next-cursor", v);
        }
        resp
    }

    /// Headers promise the whole body; the connection dies after part of it.
    fn dropped(&self, body: Vec<u8>, key: &str, seen: u64) -> Response {
        let full = body.len();
        let cut = if full == 0 {
            0
        } else {
            (hash(self.config.seed, tag(key), seen) as usize) % full
        };
        let part = Bytes::from(body[..cut].to_vec());
        // The pause lets the headers and the first part reach the client before the cut;
        // erroring at once would abort before anything was flushed.
        let chunks = futures_util::stream::unfold((Some(part), false), |state| async move {
            match state {
                (Some(part), _) => Some((Ok(part), (None, false))),
                (None, false) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Some((
                        Err(std::io::Error::other("simulated connection drop")),
                        (None, true),
                    ))
                }
                (None, true) => None,
            }
        });
        let mut resp = Response::new(Body::from_stream(chunks));
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
        resp
    }

    fn malformed(&self, key: &str, seen: u64) -> Response {
        if hash(self.config.seed, tag("malformed"), tag(key) ^ seen).is_multiple_of(2) {
            let page = "<!DOCTYPE html>\n<html><head><title>KnowBe4 - Scheduled Maintenance</title></head>\
                        <body><h1>We'll be back soon!</h1><p>The service is undergoing maintenance.</p></body></html>\n";
            let mut resp = json_response(StatusCode::OK, page.as_bytes().to_vec());
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            resp
        } else {
            json_response(
                StatusCode::OK,
                b"\x00\x1f\x8b garbage {\"id\": ]] not json".to_vec(),
            )
        }
    }

    fn cursor(&self, q: &Query, path: &str) -> Option<CursorCtx> {
        self.config.cursor_mode.then(|| CursorCtx {
            seed: self.config.seed,
            listing: q.listing_key(path),
        })
    }

    fn list(
        &self,
        q: &Query,
        path: &str,
        total: u64,
        cap: u64,
        mut render: impl FnMut(u64, &mut Vec<u8>),
    ) -> Result<Reply, ApiError> {
        let w = pages::window(q, total, cap, self.cursor(q, path))?;
        let mut body = Vec::with_capacity(64 + w.len as usize * 700);
        json::array(&mut body, w.offset..w.offset + w.len, |b, i| render(i, b));
        Ok(Reply {
            body,
            next_cursor: w.next_cursor,
        })
    }

    fn status_filter(q: &Query) -> Result<bool, ApiError> {
        match q.get("status") {
            None | Some("active") => Ok(false),
            Some("archived") => Ok(true),
            Some(_) => Err(ApiError::bad_request("status must be active or archived")),
        }
    }

    fn route(&self, path: &str, q: &Query) -> Result<Reply, ApiError> {
        let org = &self.org;
        let rest = path.strip_prefix("/v1/").ok_or_else(ApiError::not_found)?;
        let segs: Vec<&str> = rest.split('/').collect();
        let full = q.flag("full");
        let max = MAX_PER_PAGE;
        match segs.as_slice() {
            ["account"] => render_one(|b| org.render_account(b)),
            ["account", "risk_score_history"] => {
                let h = org.account_history(full);
                self.list(q, path, h.len(), max, |i, b| h.render(org.seed, i, b))
            }
            ["users"] => {
                let archived = Self::status_filter(q)?;
                let expand = q
                    .get("expand")
                    .is_some_and(|e| e.split(',').any(|x| x.trim() == "group"));
                let a = org.spec.active_users;
                let none = Roster::default();
                if let Some(gid) = q.id("group_id")? {
                    let members = match org.group_by_id(gid) {
                        Some(g) if !archived => &org.groups[g as usize].roster,
                        _ => &none,
                    };
                    self.list(q, path, members.len(), max, |i, b| {
                        org.render_user(members.get(i), expand, b)
                    })
                } else if archived {
                    // Day-0 archived users, then those archived by simulated days.
                    let (old, gone) = (org.spec.archived_users, &org.archived_order);
                    self.list(q, path, old + gone.len() as u64, max, |i, b| {
                        let p = if i < old {
                            a + i
                        } else {
                            gone[(i - old) as usize]
                        };
                        org.render_user(p, expand, b)
                    })
                } else {
                    let active = &org.active_roster;
                    self.list(q, path, active.len(), max, |i, b| {
                        org.render_user(active.get(i), expand, b)
                    })
                }
            }
            ["users", id] => {
                let p = self.user(id)?;
                render_one(|b| org.render_user(p, q.get("expand") == Some("group"), b))
            }
            ["users", id, "risk_score_history"] => {
                let h = org.user_history(self.user(id)?, full);
                self.list(q, path, h.len(), max, |i, b| h.render(org.seed, i, b))
            }
            ["groups"] => {
                let list = if Self::status_filter(q)? {
                    &org.archived_groups
                } else {
                    &org.active_groups
                };
                self.list(q, path, list.len() as u64, max, |i, b| {
                    org.render_group(list[i as usize], b)
                })
            }
            ["groups", id] => {
                let g = self.group(id)?;
                render_one(|b| org.render_group(g, b))
            }
            ["groups", id, "members"] => {
                let members = &org.groups[self.group(id)? as usize].roster;
                self.list(q, path, members.len(), max, |i, b| {
                    org.render_user(members.get(i), false, b)
                })
            }
            ["groups", id, "risk_score_history"] => {
                let h = org.group_history(self.group(id)?, full);
                self.list(q, path, h.len(), max, |i, b| h.render(org.seed, i, b))
            }
            ["phishing", "campaigns"] => {
                let list = if q.get("campaign_type") == Some("callback") {
                    &org.phish_callback
                } else {
                    &org.phish_regular
                };
                self.list(q, path, list.len() as u64, max, |i, b| {
                    org.render_phish_campaign(list[i as usize], b)
                })
            }
            ["phishing", "campaigns", id] => {
                let c = org
                    .phish_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_phish_campaign(c, b))
            }
            ["phishing", "campaigns", id, "security_tests"] => {
                let c = org
                    .phish_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                let list = &org.phish[c as usize].psts;
                self.list(q, path, list.len() as u64, max, |i, b| {
                    org.render_pst(list[i as usize], b)
                })
            }
            ["phishing", "security_tests"] => {
                self.list(q, path, org.psts.len() as u64, max, |i, b| {
                    org.render_pst(i as u32, b)
                })
            }
            ["phishing", "security_tests", id] => {
                let t = self.pst(id)?;
                render_one(|b| org.render_pst(t, b))
            }
            ["phishing", "security_tests", id, "recipients"] => {
                let t = self.pst(id)?;
                let n = org.psts[t as usize].recipients();
                self.list(q, path, n, max, |i, b| org.render_recipient(t, i, b))
            }
            ["phishing", "security_tests", id, "recipients", rid] => {
                let t = self.pst(id)?;
                let k = org
                    .recipient_by_id(t, parse_id(rid)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_recipient(t, k, b))
            }
            ["training", "store_purchases"] => {
                self.list(q, path, org.spec.store_purchases, max, |i, b| {
                    org.render_purchase(i as u32, b)
                })
            }
            ["training", "store_purchases", id] => {
                let i = org
                    .purchase_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_purchase(i, b))
            }
            ["training", "policies"] => self.list(q, path, org.spec.policies, max, |i, b| {
                org.render_policy(i as u32, false, b)
            }),
            ["training", "policies", id] => {
                let i = org
                    .policy_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_policy(i, false, b))
            }
            ["training", "campaigns"] => {
                let pct = !q.flag("exclude_percentages");
                let cap = if pct { TRAINING_CAMPAIGNS_CAP } else { max };
                self.list(q, path, org.trainings.len() as u64, cap, |i, b| {
                    org.render_training(i as u32, pct, b)
                })
            }
            ["training", "campaigns", id] => {
                let c = org
                    .training_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_training(c, !q.flag("exclude_percentages"), b))
            }
            ["training", "enrollments"] => {
                let filter = EnrollmentFilter {
                    campaign_id: q.id("campaign_id")?,
                    store_purchase_id: q.id("store_purchase_id")?,
                    user_id: q.id("user_id")?,
                    exclude_archived_users: q.flag("exclude_archived_users"),
                };
                let fields = Self::enrollment_fields(q);
                let listing = org.enrollment_listing(&filter);
                self.list(q, path, listing.len(), max, |i, b| {
                    org.render_enrollment(listing.get(i), fields, b)
                })
            }
            ["training", "enrollments", id] => {
                let e = org
                    .enrollment_by_id(parse_id(id)?)
                    .ok_or_else(ApiError::not_found)?;
                render_one(|b| org.render_enrollment(e, Self::enrollment_fields(q), b))
            }
            _ => Err(ApiError::not_found()),
        }
    }

    fn enrollment_fields(q: &Query) -> EnrollmentFields {
        EnrollmentFields {
            campaign_id: q.flag("include_campaign_id"),
            store_purchase_id: q.flag("include_store_purchase_id"),
            employee_number: q.flag("include_employee_number"),
        }
    }

    /// Active and archived users resolve; users known only from phishing results do not.
    fn user(&self, id: &str) -> Result<u64, ApiError> {
        let org = &self.org;
        org.person_of(parse_id(id)?)
            .filter(|&p| org.kind_of(p) != PersonKind::Deleted)
            .ok_or_else(ApiError::not_found)
    }

    fn group(&self, id: &str) -> Result<u32, ApiError> {
        self.org
            .group_by_id(parse_id(id)?)
            .ok_or_else(ApiError::not_found)
    }

    fn pst(&self, id: &str) -> Result<u32, ApiError> {
        self.org
            .pst_by_id(parse_id(id)?)
            .ok_or_else(ApiError::not_found)
    }
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let n = app.counter.fetch_add(1, Ordering::Relaxed);
    let request_id = app.request_id(n);
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().map(str::to_string);
    let key = match &raw_query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let seen = {
        let mut stats = app.stats();
        stats.requests += 1;
        let count = stats.per_request.entry(key.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    let started = Instant::now();
    let mut resp = app
        .respond(
            req.method(),
            &path,
            raw_query.as_deref(),
            req.headers(),
            &key,
            seen,
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    if app.config.faults.echo_authorization
        && let Some(sent) = req.headers().get(header::AUTHORIZATION)
    {
        let mut sent = sent.clone();
        sent.set_sensitive(false);
        for name in ["x-request-id", "x-echo-authorization", "www-authenticate"] {
            resp.headers_mut().insert(name, sent.clone());
        }
    }
    tracing::debug!(
        request_id = %request_id,
        method = %req.method(),
        path = %key,
        status = resp.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "mock request"
    );
    resp
}
