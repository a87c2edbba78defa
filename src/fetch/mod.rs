//! Fetches a whole account into a raw snapshot: which collections (plan), how they are run
//! (bounded concurrency inside the pace, request budget, resume), which pages of a previous
//! snapshot an incremental fetch can copy instead (since), what risk score histories cost (quota), and how a caller is told of its
//! progress (progress).

mod error;
mod options;
mod plan;
mod progress;
mod quota;
mod reconcile;
mod report;
mod run;
mod signal;
mod since;

pub use crate::api::Source;
pub use crate::snapshot::RiskHistory;
pub use error::{FetchError, ResumeProblem};
pub use options::{DEFAULT_CONCURRENCY, FetchOptions, ResumeOverrides};
pub use plan::{
    ChildOf, CollectionSpec, LEGACY_ENROLLMENTS, Role, campaign_enrollments, group_members,
    group_risk_history, pst_recipients, spec_for, spec_for_id, top_level, user_risk_history,
};
pub use progress::{FetchObserver, FetchProgress};
pub use quota::{HistoryCost, QUOTA_BASE};
pub use report::{CollectionReport, FetchReport, StopReason};
pub use run::{fetch, resume};

#[cfg(test)]
mod tests;
