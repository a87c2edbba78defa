//! Training: store purchases and policies (the modules), training campaigns and their content,
//! and enrollments.
//!
//! An enrollment is joined to its module by id when it has one (`store_purchase_id`, sent
//! with `include_store_purchase_id=true`; `policy_id` if a newer API adds it), else by name:
//! first among the modules of its own campaign, then among every module of the same kind
//! (store purchase or policy). A name matching no module, or several, gives a module known
//! only by name (`knowbe4:training:name:<name>`) rather than a guess.

use crate::model::raw::{Fields, Raw, get};

use super::builder::{Label, Loc};
use super::people::{describe_id, name_from_record};
use super::record::{Ctx, id_of, targets};
use super::{Enrollment, ModuleKey, State, Tally, seen};
use crate::model::props::Prop;
use crate::model::warning::WarningCode;

/// Content items sit at most this deep in nested arrays (the docs show `[[...]]`).
const MAX_NESTING: usize = 8;

/// What kind of module a `content_type` names, if it names one.
fn kind_of(content_type: Option<&str>) -> Option<bool> {
    match content_type.map(str::trim) {
        Some("Store Purchase") => Some(false),
        Some("Uploaded Policy") => Some(true),
        _ => None,
    }
}

/// Whether module `key` may be what a record of this kind (`Some(true)`: policy) means.
fn kind_fits(key: &ModuleKey, policy: Option<bool>) -> bool {
    match (key, policy) {
        (_, None) | (ModuleKey::Name(_), _) => true,
        (ModuleKey::Purchase(_), Some(p)) => !p,
        (ModuleKey::Policy(_), Some(p)) => p,
    }
}

fn fallback_name(key: ModuleKey, names: &super::Builder) -> String {
    match key {
        ModuleKey::Purchase(id) => format!("store purchase {id}"),
        ModuleKey::Policy(id) => format!("policy {id}"),
        ModuleKey::Name(name) => names.str(name).to_owned(),
    }
}

/// The items of `content` and `modules`, flattening nested arrays.
fn content_items<'r, 'a>(obj: &'r Fields<'a>) -> Vec<&'r Raw<'a>> {
    let mut out = Vec::new();
    for field in ["content", "modules"] {
        let mut stack: Vec<(&Raw<'a>, usize)> = match get(obj, field) {
            Some(v) => vec![(v, 0)],
            None => continue,
        };
        while let Some((v, depth)) = stack.pop() {
            match v {
                Raw::Null => {}
                Raw::Array(items) if depth < MAX_NESTING => {
                    stack.extend(items.iter().rev().map(|item| (item, depth + 1)));
                }
                other => out.push(other),
            }
        }
    }
    out
}

fn nonempty_str<'r>(v: Option<&'r Raw<'_>>) -> Option<&'r str> {
    v.and_then(Raw::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl State {
    /// A record of `training/store_purchases` or (`policy`) `training/policies`.
    pub(super) fn listed_module(&mut self, policy: bool, loc: Loc, obj: &Fields<'_>) {
        let t = &targets().module;
        let label: fn(Option<i64>) -> Label = if policy {
            Label::Policy
        } else {
            Label::StorePurchase
        };
        let id = if policy {
            id_of(get(obj, "policy_id"))
        } else {
            id_of(get(obj, "store_purchase_id")).or_else(|| id_of(get(obj, "store_purchased_id")))
        };
        let Some(id) = id else {
            let field = if policy {
                "policy_id"
            } else {
                "store_purchase_id"
            };
            let value = get(obj, field).or_else(|| get(obj, "store_purchased_id"));
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(label(None)),
                format!(
                    "a module without a usable `{field}` ({}): left out",
                    describe_id(value)
                ),
            );
            return;
        };
        let key = if policy {
            ModuleKey::Policy(id)
        } else {
            ModuleKey::Purchase(id)
        };
        let ctx = Ctx {
            target: t,
            loc,
            label: label(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        let fallback = fallback_name(key, &self.b);
        name_from_record(&mut self.b, t, || fallback);
        let slot = self.modules.entry(key).or_default();
        State::offer_slot(&mut self.b, &mut slot.listed, 0, loc, ());
    }

    /// Rebuilds the name index over the modules known so far (listings, then also content).
    pub(super) fn index_module_names(&mut self) {
        self.module_names.clear();
        self.module_name_of.clear();
        let name_slot = targets().module.slot("name");
        let mut named: Vec<(u32, ModuleKey)> = Vec::new();
        for (&key, slot) in &self.modules {
            let first = match (
                &slot.listed,
                slot.content
                    .iter()
                    .min_by(|a, b| self.b.loc_cmp(a.0, b.0).then(a.1.cmp(&b.1))),
            ) {
                (Some(listed), _) => listed.span,
                (None, Some(&(_, _, span))) => span,
                (None, None) => continue,
            };
            let name = self
                .b
                .store
                .get(first)
                .find(|p| p.slot == name_slot)
                .and_then(|p| p.as_string_id());
            if let Some(name) = name {
                named.push((name, key));
            }
        }
        named.sort();
        for (name, key) in named {
            self.module_names.entry(name).or_default().push(key);
            self.module_name_of.insert(key, name);
        }
        self.training_names.clear();
        let campaign_name = targets().training_campaign.slot("name");
        let mut campaigns: Vec<(u32, i64)> = self
            .training
            .iter()
            .filter_map(|(&id, slot)| {
                self.b
                    .store
                    .get(slot.span)
                    .find(|p| p.slot == campaign_name)
                    .and_then(|p| p.as_string_id())
                    .map(|name| (name, id))
            })
            .collect();
        campaigns.sort();
        for (name, id) in campaigns {
            self.training_names.entry(name).or_default().push(id);
        }
    }

    /// Modules named `name` that fit a record of kind `policy`, in key order.
    fn modules_named(&self, name: u32, policy: Option<bool>) -> Vec<ModuleKey> {
        self.module_names
            .get(&name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|k| kind_fits(k, policy))
            .collect()
    }

    /// A record of `training/campaigns`.
    pub(super) fn training_campaign(&mut self, loc: Loc, obj: &Fields<'_>) {
        let Some(id) = id_of(get(obj, "campaign_id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::TrainingCampaign(None)),
                format!(
                    "a training campaign without a usable `campaign_id` ({}): left out",
                    describe_id(get(obj, "campaign_id"))
                ),
            );
            return;
        };
        let mut keys: Vec<ModuleKey> = Vec::new();
        let mut unknown_ids: Vec<i64> = Vec::new();
        for (i, item) in content_items(obj).into_iter().enumerate() {
            let label = Label::ContentItem {
                campaign: id,
                item: i,
            };
            if let Some(key) = self.content_item(loc, label, item, &mut unknown_ids)
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
        let t = &targets().training_campaign;
        let ctx = Ctx {
            target: t,
            loc,
            label: Label::TrainingCampaign(Some(id)),
        };
        self.b.read_record(&ctx, obj);
        name_from_record(&mut self.b, t, || format!("training campaign {id}"));
        if !unknown_ids.is_empty()
            && let Some(prop) = self
                .b
                .store
                .integer_array(t.slot("unknownContentIds"), &unknown_ids)
        {
            self.b.buf_set(prop);
        }
        State::offer(&mut self.b, &mut self.training, id, 0, loc, keys);
    }

    /// One item of a campaign's content: the module it is, observed with its fields.
    fn content_item(
        &mut self,
        loc: Loc,
        label: Label,
        item: &Raw<'_>,
        unknown_ids: &mut Vec<i64>,
    ) -> Option<ModuleKey> {
        let Raw::Object(m) = item else {
            self.b.warn(
                WarningCode::NotAnObject,
                loc,
                Some(label),
                format!(
                    "a content item that is not an object: {}; left out",
                    super::record::quote(item)
                ),
            );
            return None;
        };
        let purchase =
            id_of(get(m, "store_purchase_id")).or_else(|| id_of(get(m, "store_purchased_id")));
        let policy = id_of(get(m, "policy_id"));
        let content_type = get(m, "content_type").and_then(Raw::as_str);
        let key = match (purchase, policy) {
            (Some(p), Some(q)) => {
                if kind_of(content_type) == Some(true) {
                    ModuleKey::Policy(q)
                } else {
                    ModuleKey::Purchase(p)
                }
            }
            (Some(p), None) => ModuleKey::Purchase(p),
            (None, Some(q)) => ModuleKey::Policy(q),
            (None, None) => match nonempty_str(get(m, "name")) {
                Some(name) => {
                    let name_id = self.b.intern(name)?;
                    let found = self.modules_named(name_id, kind_of(content_type));
                    match found.as_slice() {
                        [only] => *only,
                        _ => {
                            let (code, what) = if found.is_empty() {
                                (
                                    WarningCode::NameOnlyModule,
                                    "no listed module has it".to_owned(),
                                )
                            } else {
                                (
                                    WarningCode::AmbiguousModuleName,
                                    format!("{} listed modules have it", found.len()),
                                )
                            };
                            self.b.warn(
                                code,
                                loc,
                                Some(label),
                                format!(
                                    "a content item with a name ({name:?}) but no store purchase or policy id, and {what}: a module known only by name"
                                ),
                            );
                            ModuleKey::Name(name_id)
                        }
                    }
                }
                None => {
                    let message = match id_of(get(m, "content_id")) {
                        Some(content_id) => {
                            unknown_ids.push(content_id);
                            format!(
                                "a content item with only `content_id` {content_id}: neither a store purchase nor a policy; kept in the campaign's unknownContentIds"
                            )
                        }
                        None => format!(
                            "a content item with neither an id nor a name: {}; left out",
                            super::record::quote(item)
                        ),
                    };
                    self.b
                        .warn(WarningCode::UnknownContent, loc, Some(label), message);
                    return None;
                }
            },
        };
        let t = &targets().module;
        let ctx = Ctx {
            target: t,
            loc,
            label,
        };
        self.b.read_record(&ctx, m);
        let fallback = fallback_name(key, &self.b);
        name_from_record(&mut self.b, t, || fallback);
        let span = self.b.commit()?;
        let index = match label {
            Label::ContentItem { item, .. } => u32::try_from(item).unwrap_or(u32::MAX),
            _ => 0,
        };
        self.modules
            .entry(key)
            .or_default()
            .content
            .push((loc, index, span));
        Some(key)
    }

    /// A record of `training/enrollments`.
    pub(super) fn enrollment(&mut self, loc: Loc, obj: &Fields<'_>) {
        let Some(id) = id_of(get(obj, "enrollment_id")) else {
            self.b.warn(
                WarningCode::MissingId,
                loc,
                Some(Label::Enrollment(None)),
                format!(
                    "an enrollment without a usable `enrollment_id` ({}): left out",
                    describe_id(get(obj, "enrollment_id"))
                ),
            );
            return;
        };
        let label = Label::Enrollment(Some(id));
        // Only for warnings: formatting it for every enrollment was a good part of reading them.
        let what = || describe_enrollment(obj);
        let user = match get(obj, "user") {
            Some(Raw::Object(u)) => match id_of(get(u, "id")) {
                Some(uid) => Some((uid, u)),
                None => {
                    self.b.warn(
                        WarningCode::MissingUser,
                        loc,
                        Some(label),
                        format!(
                            "its user has no usable `id` ({}): not linked to a user, so not in the graph ({})",
                            describe_id(get(u, "id")),
                            what()
                        ),
                    );
                    None
                }
            },
            None | Some(Raw::Null) => {
                self.b.warn(
                    WarningCode::MissingUser,
                    loc,
                    Some(label),
                    format!("no user (`\"user\": null`, a deleted user): not linked to a user, so not in the graph ({})", what()),
                );
                None
            }
            Some(other) => {
                self.b.warn(
                    WarningCode::MissingUser,
                    loc,
                    Some(label),
                    format!(
                        "its user is not an object ({}): not linked to a user, so not in the graph ({})",
                        super::record::quote(other),
                        what()
                    ),
                );
                None
            }
        };
        let Some((user_id, user_obj)) = user else {
            return;
        };
        let Some(module) = self.enrollment_module(loc, label, obj) else {
            return;
        };
        let campaign = id_of(get(obj, "campaign_id"));
        if let Some(c) = campaign
            && !self.training.contains_key(&c)
        {
            tally(&self.b, &mut self.unknown_campaigns, c, loc);
        }
        let passed = get(obj, "status")
            .and_then(Raw::as_str)
            .map(|s| s.trim().to_ascii_lowercase())
            .is_some_and(|s| s == "passed" || s == "completed");
        let ctx = Ctx {
            target: &targets().enrollment,
            loc,
            label,
        };
        self.b.read_record(&ctx, obj);
        // The key's suffix and this property must agree, whatever spelling the id came in.
        self.b
            .buf_set(Prop::integer(ctx.target.slot("enrollmentId"), id));
        let wins = match self.enrollments.get(&id) {
            None => true,
            Some(held) => self.b.loc_cmp(loc, held.loc).is_lt(),
        };
        if wins {
            if let Some(span) = self.b.commit() {
                let new = Enrollment {
                    loc,
                    span,
                    module,
                    user: user_id,
                    passed,
                    campaign,
                };
                if let Some(old) = self.enrollments.insert(id, new) {
                    self.enrollment_dups.entry(id).or_default().push(old.loc);
                }
            }
        } else if self.enrollments.contains_key(&id) {
            self.enrollment_dups.entry(id).or_default().push(loc);
        }
        self.mention_user(user_id, seen::ENROLLMENT, 1, loc, user_obj, label);
    }

    /// The module an enrollment is in (see the module docs), creating its entity from the
    /// enrollment if nothing else knows it.
    fn enrollment_module(&mut self, loc: Loc, label: Label, obj: &Fields<'_>) -> Option<ModuleKey> {
        let content_type = get(obj, "content_type").and_then(Raw::as_str);
        let policy_kind = kind_of(content_type);
        let name = nonempty_str(get(obj, "module_name"));
        let purchase =
            id_of(get(obj, "store_purchase_id")).or_else(|| id_of(get(obj, "store_purchased_id")));
        let policy = id_of(get(obj, "policy_id"));
        let by_id = match (purchase, policy) {
            (Some(_), Some(q)) if policy_kind == Some(true) => Some(ModuleKey::Policy(q)),
            (Some(p), _) => Some(ModuleKey::Purchase(p)),
            (None, Some(q)) => Some(ModuleKey::Policy(q)),
            (None, None) => None,
        };
        if let Some(key) = by_id {
            self.module_from_enrollment(key, loc, name, content_type);
            return Some(key);
        }
        let Some(name) = name else {
            self.b.warn(
                WarningCode::MissingReference,
                loc,
                Some(label),
                format!(
                    "names no module (no store_purchase_id, policy_id or module_name): left out ({})",
                    describe_enrollment(obj)
                ),
            );
            return None;
        };
        let name_id = self.b.intern(name)?;
        // Its own campaign first: two modules may share a name, rarely within one campaign.
        let campaign = match id_of(get(obj, "campaign_id")) {
            Some(c) => Some(c),
            None => nonempty_str(get(obj, "campaign_name"))
                .and_then(|n| self.b.intern(n))
                .and_then(|n| match self.training_names.get(&n).map(Vec::as_slice) {
                    Some([only]) => Some(*only),
                    _ => None,
                }),
        };
        if let Some(slot) = campaign.and_then(|c| self.training.get(&c)) {
            let found: Vec<ModuleKey> = slot
                .extra
                .iter()
                .copied()
                .filter(|k| {
                    kind_fits(k, policy_kind) && self.module_name_of.get(k) == Some(&name_id)
                })
                .collect();
            if let [only] = found.as_slice() {
                return Some(*only);
            }
        }
        let found = self.modules_named(name_id, policy_kind);
        if let [only] = found.as_slice() {
            return Some(*only);
        }
        let key = ModuleKey::Name(name_id);
        self.module_from_enrollment(key, loc, Some(name), content_type);
        tally(
            &self.b,
            &mut self.name_only,
            (name.to_owned(), found.len() > 1),
            loc,
        );
        Some(key)
    }

    /// Notes that an enrollment is in module `key`; the first such enrollment (by location)
    /// describes a module that no listing or campaign content describes.
    fn module_from_enrollment(
        &mut self,
        key: ModuleKey,
        loc: Loc,
        name: Option<&str>,
        content_type: Option<&str>,
    ) {
        let slot = self.modules.entry(key).or_default();
        if slot.listed.is_some() || !slot.content.is_empty() {
            return;
        }
        slot.enrollments += 1;
        if slot
            .enrollment
            .is_some_and(|(held, _)| !self.b.loc_cmp(loc, held).is_lt())
        {
            return;
        }
        let t = &targets().module;
        self.b.buf.clear();
        let name = match name {
            Some(n) => n.to_owned(),
            None => fallback_name(key, &self.b),
        };
        self.b.buf_set_str(t.slot("name"), &name);
        self.b.buf_set_str(t.slot("displayName"), &name);
        if let Some(ct) = content_type {
            self.b.buf_set_str(t.slot("contentType"), ct);
        }
        match key {
            ModuleKey::Purchase(id) => self.b.buf_set(Prop::integer(t.slot("storePurchaseId"), id)),
            ModuleKey::Policy(id) => self.b.buf_set(Prop::integer(t.slot("policyId"), id)),
            ModuleKey::Name(_) => {}
        }
        if let Some(span) = self.b.commit() {
            slot.enrollment = Some((loc, span));
        }
    }
}

/// Counts one more record for `key`, keeping the first location.
pub(super) fn tally<K: Ord>(
    b: &super::Builder,
    map: &mut std::collections::BTreeMap<K, Tally>,
    key: K,
    loc: Loc,
) {
    let entry = map.entry(key).or_insert(Tally {
        count: 0,
        first: loc,
    });
    entry.count += 1;
    if b.loc_cmp(loc, entry.first).is_lt() {
        entry.first = loc;
    }
}

/// "module X, campaign Y, status Z" for a warning about an enrollment left out.
fn describe_enrollment(obj: &Fields<'_>) -> String {
    let field = |name: &str| -> String {
        match get(obj, name) {
            Some(Raw::Str(s)) => format!("{:?}", s.as_ref()),
            Some(Raw::Null) | None => "none".into(),
            Some(v) => v.to_json(),
        }
    };
    format!(
        "module {}, campaign {}, status {}",
        field("module_name"),
        field("campaign_name"),
        field("status")
    )
}
