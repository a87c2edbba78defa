//! Several KnowBe4 accounts handled as one: the accounts file that lists them (config), the
//! directory that holds a snapshot of each (layout), and fetching them all at once (fetch).

mod config;
mod fetch;
mod layout;

pub use config::{
    Account, AccountsConfig, ConfigError, MAX_NAME_LEN, NAME_PATTERN, TokenSource, check_name,
};
pub use fetch::{AccountOutcome, AccountsFetch, fetch_accounts};
pub use layout::{AccountsDir, LISTING, LayoutError};
