//! Where `normalize` reads raw pages from: a snapshot on disk, or pages held in memory (tests,
//! property tests, callers that fetched without writing a snapshot).

use crate::snapshot::{PageEntry, Snapshot};

/// A collection as the source lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCollection {
    /// `users/active`, `groups/12/members`, ...
    pub id: String,
    /// False when fetching stopped before its last page.
    pub complete: bool,
    /// The API answered 404 (a group or test removed between listing and fetching).
    pub not_found: bool,
}

/// One page: its file (for warnings) and its body exactly as stored. `normalize` parses it:
/// a JSON array of records, or for `account` one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPage {
    pub file: String,
    pub body: Vec<u8>,
}

/// A page that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The page file, or the collection id when no page could be named.
    pub file: String,
    pub message: String,
}

/// Reads one page. `normalize` runs these on its worker threads, several at once.
pub type PageRead<'a> = Box<dyn FnOnce() -> Result<RawPage, PageError> + Send + 'a>;

/// Raw pages by collection. Implementations list pages in any order: `normalize` does not
/// depend on it. Pages are bytes rather than parsed JSON so that `normalize` can parse them
/// borrowing strings from the page (parsing into `serde_json::Value` was half its time).
pub trait RawSource: Sync {
    fn collections(&self) -> Vec<SourceCollection>;

    /// The pages of collection `id`, each as the work of reading it; an `Err` it returns is a
    /// page that could not be read, and the pages after it are still read. An unknown id has
    /// none.
    fn pages<'a>(&'a self, id: &str) -> Vec<PageRead<'a>>;

    /// The name the account was fetched under (`fetch --account-name`), which entities are
    /// tagged with instead of the account's own name.
    fn account_name(&self) -> Option<String> {
        None
    }
}

impl RawSource for Snapshot {
    fn account_name(&self) -> Option<String> {
        self.manifest().source.account_name.clone()
    }

    fn collections(&self) -> Vec<SourceCollection> {
        Snapshot::collections(self)
            .iter()
            .map(|c| SourceCollection {
                id: c.id.clone(),
                complete: c.complete,
                not_found: c.not_found,
            })
            .collect()
    }

    fn pages<'a>(&'a self, id: &str) -> Vec<PageRead<'a>> {
        let Some(entry) = self.collection(id) else {
            return Vec::new();
        };
        // In page-number order, as `Snapshot::pages` yields them.
        let mut pages: Vec<&PageEntry> = entry.pages.iter().collect();
        pages.sort_by_key(|p| p.page);
        pages
            .into_iter()
            .map(|page| -> PageRead<'a> {
                Box::new(move || match self.read_page(page) {
                    Ok(body) => Ok(RawPage {
                        file: page.file.clone(),
                        body,
                    }),
                    Err(err) => Err(PageError {
                        file: page.file.clone(),
                        message: err.to_string(),
                    }),
                })
            })
            .collect()
    }
}

/// One page of a [`MemorySource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryPage {
    pub file: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryCollection {
    pub id: String,
    pub complete: bool,
    pub not_found: bool,
    pub pages: Vec<MemoryPage>,
}

/// Pages held in memory. Page files default to the snapshot layout
/// (`raw/<collection>/page-0001.json`); they must be unique, as a snapshot's are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemorySource {
    pub collections: Vec<MemoryCollection>,
}

impl MemorySource {
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// Adds a page to collection `id` (created complete if new) under the next page file name:
    /// a JSON array of records, or for `account` the object.
    pub fn add_page(&mut self, id: &str, body: &serde_json::Value) -> &mut Self {
        self.add_raw_page(id, body.to_string().into_bytes())
    }

    /// Adds a page of any bytes (invalid JSON included).
    pub fn add_raw_page(&mut self, id: &str, body: Vec<u8>) -> &mut Self {
        let collection = self.collection_mut(id);
        let n = collection.pages.len() as u32 + 1;
        let file = crate::snapshot::page_file(id, n);
        collection.pages.push(MemoryPage { file, body });
        self
    }

    /// Marks collection `id` as incomplete (or answered 404).
    pub fn set_status(&mut self, id: &str, complete: bool, not_found: bool) -> &mut Self {
        let collection = self.collection_mut(id);
        collection.complete = complete;
        collection.not_found = not_found;
        self
    }

    fn collection_mut(&mut self, id: &str) -> &mut MemoryCollection {
        let i = match self.collections.iter().position(|c| c.id == id) {
            Some(i) => i,
            None => {
                self.collections.push(MemoryCollection {
                    id: id.to_owned(),
                    complete: true,
                    not_found: false,
                    pages: Vec::new(),
                });
                self.collections.len() - 1
            }
        };
        &mut self.collections[i]
    }
}

impl RawSource for MemorySource {
    fn collections(&self) -> Vec<SourceCollection> {
        self.collections
            .iter()
            .map(|c| SourceCollection {
                id: c.id.clone(),
                complete: c.complete,
                not_found: c.not_found,
            })
            .collect()
    }

    fn pages<'a>(&'a self, id: &str) -> Vec<PageRead<'a>> {
        let Some(collection) = self.collections.iter().find(|c| c.id == id) else {
            return Vec::new();
        };
        collection
            .pages
            .iter()
            .map(|page| -> PageRead<'a> {
                Box::new(move || {
                    Ok(RawPage {
                        file: page.file.clone(),
                        body: page.body.clone(),
                    })
                })
            })
            .collect()
    }
}
