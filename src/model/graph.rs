//! The normalized graph: entities sorted by `_key`, relationships sorted by `_key`, typed
//! properties in a stable order.
//!
//! Built only by [`crate::model::normalize`]; read by exporters through [`EntityRef`] and
//! [`RelationshipRef`], which borrow from the graph and allocate nothing except relationship
//! keys, which are derived from their endpoints when asked for (they would otherwise be the
//! largest strings in memory).

use std::fmt;
use std::sync::OnceLock;

use super::intern::StrArena;
use super::outgoing::Outgoing;
use super::props::{EXTRA, Prop, PropStore, Span};
use super::table::{
    ACCOUNT_TAG, EntityDef, EntityType, PropDef, RelationshipDef, RelationshipType,
};
use super::value::ValueRef;

#[derive(Debug, Clone, Copy)]
pub(crate) struct EntityRec {
    /// Id in `Graph::keys`.
    pub key: u32,
    pub props: Span,
    pub ty: EntityType,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RelRec {
    /// Entity indices.
    pub from: u32,
    pub to: u32,
    pub props: Span,
    pub ty: RelationshipType,
}

const _: () = assert!(std::mem::size_of::<EntityRec>() == 12);
const _: () = assert!(std::mem::size_of::<RelRec>() == 16);

/// The graph of one account. See the module docs; build it with [`crate::model::normalize`].
pub struct Graph {
    pub(crate) strings: StrArena,
    pub(crate) keys: StrArena,
    /// Names of extra (unknown API field) properties, by id.
    pub(crate) extra_names: Vec<Box<str>>,
    pub(crate) store: PropStore,
    pub(crate) entities: Vec<EntityRec>,
    pub(crate) relationships: Vec<RelRec>,
    /// Per entity type, then per relationship type: extra property name ids, sorted by name.
    pub(crate) entity_extras: Vec<Vec<u16>>,
    pub(crate) relationship_extras: Vec<Vec<u16>>,
    /// Built by the first format that asks for it.
    pub(crate) outgoing: OnceLock<Outgoing>,
    /// The value of [`ACCOUNT_TAG`] on every entity, held once.
    pub(crate) account_tag: Option<Box<str>>,
}

/// One property of an entity or relationship.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Property<'g> {
    pub name: &'g str,
    pub value: ValueRef<'g>,
    /// The declared property, or `None` for an extra property (an API field this version does
    /// not know, kept as a string).
    pub def: Option<&'static PropDef>,
}

impl Property<'_> {
    pub fn is_extra(&self) -> bool {
        self.def.is_none()
    }
}

/// An entity's stored properties with [`ACCOUNT_TAG`] put in its place: after the declared
/// properties (it is the last of them), before the extra ones.
struct WithTag<'g, I: Iterator<Item = Property<'g>>> {
    stored: std::iter::Peekable<I>,
    tag: Option<Property<'g>>,
}

impl<'g, I: Iterator<Item = Property<'g>>> Iterator for WithTag<'g, I> {
    type Item = Property<'g>;

    fn next(&mut self) -> Option<Property<'g>> {
        if self.tag.is_some() && self.stored.peek().is_none_or(Property::is_extra) {
            return self.tag.take();
        }
        self.stored.next()
    }
}

fn props_iter<'g>(
    graph: &'g Graph,
    span: Span,
    defs: &'static [PropDef],
) -> impl Iterator<Item = Property<'g>> + 'g {
    graph.store.get(span).map(move |p| graph.property(&p, defs))
}

/// An entity, borrowed from its graph.
#[derive(Clone, Copy)]
pub struct EntityRef<'g> {
    graph: &'g Graph,
    index: u32,
}

/// A relationship, borrowed from its graph.
#[derive(Clone, Copy)]
pub struct RelationshipRef<'g> {
    graph: &'g Graph,
    index: u32,
}

impl Graph {
    pub(crate) fn property<'g>(&'g self, p: &Prop, defs: &'static [PropDef]) -> Property<'g> {
        let value = self.store.value(p, &self.strings);
        if p.is_extra() {
            let name = self
                .extra_names
                .get(usize::from(p.slot & !EXTRA))
                .map_or("", |n| n);
            Property {
                name,
                value,
                def: None,
            }
        } else {
            let def = defs.get(usize::from(p.slot));
            Property {
                name: def.map_or("", |d| d.name),
                value,
                def,
            }
        }
    }

    /// The account entity's `name`, if the graph has one account (a combined graph of
    /// several has no one name).
    pub fn account_name(&self) -> Option<&str> {
        let mut accounts = self
            .entities()
            .filter(|e| e.entity_type() == EntityType::Account);
        let account = accounts.next()?;
        if accounts.next().is_some() {
            return None;
        }
        account.get("name").and_then(|v| v.as_str())
    }

    /// The value every entity carries as [`ACCOUNT_TAG`], if any.
    pub fn account_tag(&self) -> Option<&str> {
        self.account_tag.as_deref()
    }

    /// Tags every entity with `tag` as [`ACCOUNT_TAG`] (or with nothing).
    pub fn set_account_tag(&mut self, tag: Option<&str>) {
        self.account_tag = tag.map(Box::from);
    }

    /// Each entity's outgoing relationships; the same index for every format that asks.
    pub(crate) fn outgoing(&self) -> &Outgoing {
        self.outgoing.get_or_init(|| Outgoing::of(self))
    }

    /// The `_key` of the entity at `index` in key order.
    pub(crate) fn entity_key(&self, index: usize) -> Option<&str> {
        let rec = self.entities.get(index)?;
        Some(self.keys.get(rec.key))
    }

    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    pub fn relationship_count(&self) -> usize {
        self.relationships.len()
    }

    /// Entities in `_key` order.
    pub fn entities(&self) -> impl ExactSizeIterator<Item = EntityRef<'_>> + '_ {
        (0..self.entities.len() as u32).map(move |index| EntityRef { graph: self, index })
    }

    /// Relationships in `_key` order.
    pub fn relationships(&self) -> impl ExactSizeIterator<Item = RelationshipRef<'_>> + '_ {
        (0..self.relationships.len() as u32)
            .map(move |index| RelationshipRef { graph: self, index })
    }

    /// The entity with this `_key`.
    pub fn entity(&self, key: &str) -> Option<EntityRef<'_>> {
        let index = self
            .entities
            .binary_search_by(|e| self.keys.get(e.key).cmp(key))
            .ok()?;
        Some(EntityRef {
            graph: self,
            index: index as u32,
        })
    }

    /// Entities per type, every type listed (zero included), in [`EntityType::ALL`] order.
    pub fn entity_counts(&self) -> Vec<(EntityType, usize)> {
        let mut counts = [0usize; EntityType::ALL.len()];
        for e in &self.entities {
            counts[e.ty as usize] += 1;
        }
        EntityType::ALL.into_iter().zip(counts).collect()
    }

    /// Relationships per type, every type listed, in [`RelationshipType::ALL`] order.
    pub fn relationship_counts(&self) -> Vec<(RelationshipType, usize)> {
        let mut counts = [0usize; RelationshipType::ALL.len()];
        for r in &self.relationships {
            counts[r.ty as usize] += 1;
        }
        RelationshipType::ALL.into_iter().zip(counts).collect()
    }

    /// Names of the extra properties (API fields this version does not know, kept as strings)
    /// that some entity of type `ty` carries, sorted.
    pub fn extra_properties(&self, ty: EntityType) -> impl Iterator<Item = &str> + '_ {
        self.entity_extras
            .get(ty as usize)
            .into_iter()
            .flatten()
            .map(move |&id| self.extra_name(id))
    }

    /// Like [`Graph::extra_properties`], for relationships of type `ty`.
    pub fn relationship_extra_properties(
        &self,
        ty: RelationshipType,
    ) -> impl Iterator<Item = &str> + '_ {
        self.relationship_extras
            .get(ty as usize)
            .into_iter()
            .flatten()
            .map(move |&id| self.extra_name(id))
    }

    fn extra_name(&self, id: u16) -> &str {
        self.extra_names.get(usize::from(id)).map_or("", |n| n)
    }

    /// Heap bytes held by the graph (approximate: capacities, not allocator overhead).
    pub fn heap_bytes(&self) -> usize {
        self.strings.heap_bytes()
            + self.keys.heap_bytes()
            + self.store.heap_bytes()
            + self.entities.capacity() * std::mem::size_of::<EntityRec>()
            + self.relationships.capacity() * std::mem::size_of::<RelRec>()
    }
}

impl<'g> EntityRef<'g> {
    pub fn index(&self) -> usize {
        self.index as usize
    }

    fn rec(&self) -> &'g EntityRec {
        &self.graph.entities[self.index as usize]
    }

    /// Its stored properties (without the account tag the graph holds once).
    pub(crate) fn props_span(&self) -> Span {
        self.rec().props
    }

    /// `_key`.
    pub fn key(&self) -> &'g str {
        self.graph.keys.get(self.rec().key)
    }

    pub fn entity_type(&self) -> EntityType {
        self.rec().ty
    }

    pub fn def(&self) -> &'static EntityDef {
        self.rec().ty.def()
    }

    /// `_class`.
    pub fn classes(&self) -> &'static [&'static str] {
        self.def().classes
    }

    /// Properties in output order: the table's order, then extra properties sorted by name.
    /// Null values are absent.
    pub fn properties(&self) -> impl Iterator<Item = Property<'g>> + 'g {
        let defs = self.def().properties;
        let tag = self.graph.account_tag.as_deref().map(|tag| Property {
            name: ACCOUNT_TAG,
            value: ValueRef::String(tag),
            def: defs.last().filter(|d| d.name == ACCOUNT_TAG),
        });
        WithTag {
            stored: props_iter(self.graph, self.rec().props, defs).peekable(),
            tag,
        }
    }

    pub fn get(&self, name: &str) -> Option<ValueRef<'g>> {
        self.properties().find(|p| p.name == name).map(|p| p.value)
    }
}

impl<'g> RelationshipRef<'g> {
    pub fn index(&self) -> usize {
        self.index as usize
    }

    pub(crate) fn props_span(&self) -> Span {
        self.rec().props
    }

    fn rec(&self) -> &'g RelRec {
        &self.graph.relationships[self.index as usize]
    }

    pub fn relationship_type(&self) -> RelationshipType {
        self.rec().ty
    }

    pub fn def(&self) -> &'static RelationshipDef {
        self.rec().ty.def()
    }

    /// `_class` (also its `displayName`).
    pub fn class(&self) -> &'static str {
        self.def().class
    }

    pub fn from(&self) -> EntityRef<'g> {
        EntityRef {
            graph: self.graph,
            index: self.rec().from,
        }
    }

    pub fn to(&self) -> EntityRef<'g> {
        EntityRef {
            graph: self.graph,
            index: self.rec().to,
        }
    }

    /// `_fromEntityKey`.
    pub fn from_key(&self) -> &'g str {
        self.from().key()
    }

    /// `_toEntityKey`.
    pub fn to_key(&self) -> &'g str {
        self.to().key()
    }

    /// The enrollment a per-enrollment relationship stands for.
    pub fn enrollment_id(&self) -> Option<i64> {
        super::keys::enrollment_id(&self.graph.store, self.rec())
    }

    /// Appends `_key` to `out`: `<fromKey>|<class lowercased>|<toKey>[|<enrollmentId>]`.
    pub fn write_key(&self, out: &mut String) {
        super::keys::write_relationship_key(
            out,
            self.from_key(),
            self.def().key_class(),
            self.to_key(),
            self.enrollment_id(),
        );
    }

    /// `_key`.
    pub fn key(&self) -> String {
        let mut out = String::new();
        self.write_key(&mut out);
        out
    }

    pub fn properties(&self) -> impl Iterator<Item = Property<'g>> + 'g {
        props_iter(self.graph, self.rec().props, self.def().properties)
    }

    pub fn get(&self, name: &str) -> Option<ValueRef<'g>> {
        self.properties().find(|p| p.name == name).map(|p| p.value)
    }
}

impl fmt::Debug for EntityRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Entity");
        d.field("_key", &self.key())
            .field("_type", &self.entity_type().name());
        for p in self.properties() {
            d.field(p.name, &p.value);
        }
        d.finish()
    }
}

impl fmt::Debug for RelationshipRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Relationship");
        d.field("_key", &self.key())
            .field("_type", &self.relationship_type().name());
        for p in self.properties() {
            d.field(p.name, &p.value);
        }
        d.finish()
    }
}

impl PartialEq for EntityRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
            && self.entity_type() == other.entity_type()
            && self.properties().eq(other.properties())
    }
}

impl PartialEq for RelationshipRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.relationship_type() == other.relationship_type()
            && self.from_key() == other.from_key()
            && self.to_key() == other.to_key()
            && self.properties().eq(other.properties())
    }
}

/// Two graphs are equal when they hold the same entities and relationships with the same
/// properties, whatever their internal string ids.
impl PartialEq for Graph {
    fn eq(&self, other: &Self) -> bool {
        self.entity_count() == other.entity_count()
            && self.relationship_count() == other.relationship_count()
            && self.entities().eq(other.entities())
            && self.relationships().eq(other.relationships())
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("entities", &self.entity_count())
            .field("relationships", &self.relationship_count())
            .finish()
    }
}
