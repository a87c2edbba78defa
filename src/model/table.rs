//! The property table: every entity and relationship type of the graph (DESIGN.md "Data
//! model"), its `_class`es, and every property with its value type, whether it is required and
//! which API fields feed it.
//!
//! This is the one place the model is written down. `normalize` reads records through it (the
//! `api` paths below drive the parser), and exporters and schema generators derive their headers
//! and schemas from it, so the three cannot drift apart.
//!
//! Besides the declared properties, an entity or relationship may carry *extra* properties: API
//! fields this version does not know (a newer API), kept as strings under their camelCase name.
//! [`crate::model::Graph::extra_properties`] lists them per type.

use std::fmt;

/// The value type of a property. Datetimes are UTC with millisecond precision; dates are
/// calendar days. Arrays never contain nulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    String,
    Integer,
    Float,
    /// A decimal number as the API writes it (`26.7`): held as the nearest `f64`, written in
    /// the shortest form that reads back to it, and typed `xsd:decimal` in RDF.
    Decimal,
    Boolean,
    DateTime,
    Date,
    StringArray,
    IntegerArray,
}

impl ValueType {
    pub const ALL: [ValueType; 9] = [
        ValueType::String,
        ValueType::Integer,
        ValueType::Float,
        ValueType::Decimal,
        ValueType::Boolean,
        ValueType::DateTime,
        ValueType::Date,
        ValueType::StringArray,
        ValueType::IntegerArray,
    ];

    /// Lowercase name, e.g. `datetime`, `string[]`.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Integer => "integer",
            ValueType::Float => "float",
            ValueType::Decimal => "decimal",
            ValueType::Boolean => "boolean",
            ValueType::DateTime => "datetime",
            ValueType::Date => "date",
            ValueType::StringArray => "string[]",
            ValueType::IntegerArray => "integer[]",
        }
    }

    pub fn is_array(self) -> bool {
        matches!(self, ValueType::StringArray | ValueType::IntegerArray)
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One property of an entity or relationship type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropDef {
    /// camelCase, as written to every output.
    pub name: &'static str,
    pub value_type: ValueType,
    /// Present on every entity (or relationship) of the type.
    pub required: bool,
    /// The API fields it is read from, as paths in the record: `field`, `object.field`,
    /// `array[]` (an array of scalars) or `array[].field` (one value per item, the arrays of one
    /// field staying parallel). Several paths are spellings of one field across API versions.
    /// Empty for properties kb4graph derives.
    pub api: &'static [&'static str],
}

/// The eleven entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    Account,
    User,
    UserGroup,
    TrainingCampaign,
    TrainingModule,
    PhishingCampaign,
    PhishingSecurityTest,
    PhishingSecurityTestResult,
    PhishingCategory,
    RiskScore,
    Person,
}

/// The nineteen relationship types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationshipType {
    AccountHasUser,
    AccountHasUserGroup,
    UserGroupHasUser,
    AccountHasTrainingCampaign,
    TrainingCampaignAssignedUserGroup,
    TrainingCampaignHasModule,
    TrainingModuleAssignedUser,
    UserCompletedTrainingModule,
    AccountHasPhishingCampaign,
    PhishingCampaignContainsSecurityTest,
    SecurityTestContainsResult,
    UserHasSecurityTestResult,
    SecurityTestHasCategory,
    AccountHasRiskScore,
    UserManagesAccount,
    UserIsPerson,
    PersonReportsToPerson,
    UserHasRiskScore,
    UserGroupHasRiskScore,
}

/// An entity type: `_type`, `_class`es, how its `_key` is made, and its properties in output
/// order (`name` and `displayName` first).
#[derive(Debug, PartialEq, Eq)]
pub struct EntityDef {
    pub entity_type: EntityType,
    /// `_type`.
    pub name: &'static str,
    /// `_class`, in order.
    pub classes: &'static [&'static str],
    /// The `_key` pattern, for documentation.
    pub key: &'static str,
    pub properties: &'static [PropDef],
}

/// A relationship type. Its `_key` is `<fromKey>|<class lowercased>|<toKey>`, followed by
/// `|<enrollmentId>` when `per_enrollment` (one relationship per enrollment).
#[derive(Debug, PartialEq, Eq)]
pub struct RelationshipDef {
    pub relationship_type: RelationshipType,
    /// `_type`.
    pub name: &'static str,
    /// `_class` (also the relationship's `displayName`).
    pub class: &'static str,
    pub from: EntityType,
    pub to: EntityType,
    pub per_enrollment: bool,
    pub properties: &'static [PropDef],
}

impl EntityDef {
    /// The index of property `name` in [`EntityDef::properties`].
    pub fn property_index(&self, name: &str) -> Option<usize> {
        self.properties.iter().position(|p| p.name == name)
    }

    pub fn property(&self, name: &str) -> Option<&'static PropDef> {
        self.properties.iter().find(|p| p.name == name)
    }
}

impl RelationshipDef {
    pub fn property_index(&self, name: &str) -> Option<usize> {
        self.properties.iter().position(|p| p.name == name)
    }

    pub fn property(&self, name: &str) -> Option<&'static PropDef> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The `_class` as it appears in `_key`s.
    pub fn key_class(&self) -> &'static str {
        match self.class {
            "HAS" => "has",
            "ASSIGNED" => "assigned",
            "COMPLETED" => "completed",
            "CONTAINS" => "contains",
            "MANAGES" => "manages",
            "IS" => "is",
            "REPORTS_TO" => "reports_to",
            // Unreachable with the table below; keys stay well-formed if a class is added.
            other => other,
        }
    }
}

impl EntityType {
    pub const ALL: [EntityType; 11] = [
        EntityType::Account,
        EntityType::User,
        EntityType::UserGroup,
        EntityType::TrainingCampaign,
        EntityType::TrainingModule,
        EntityType::PhishingCampaign,
        EntityType::PhishingSecurityTest,
        EntityType::PhishingSecurityTestResult,
        EntityType::PhishingCategory,
        EntityType::RiskScore,
        EntityType::Person,
    ];

    pub fn def(self) -> &'static EntityDef {
        &ENTITIES[self as usize]
    }

    /// `_type`.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn from_name(name: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl RelationshipType {
    pub const ALL: [RelationshipType; 19] = [
        RelationshipType::AccountHasUser,
        RelationshipType::AccountHasUserGroup,
        RelationshipType::UserGroupHasUser,
        RelationshipType::AccountHasTrainingCampaign,
        RelationshipType::TrainingCampaignAssignedUserGroup,
        RelationshipType::TrainingCampaignHasModule,
        RelationshipType::TrainingModuleAssignedUser,
        RelationshipType::UserCompletedTrainingModule,
        RelationshipType::AccountHasPhishingCampaign,
        RelationshipType::PhishingCampaignContainsSecurityTest,
        RelationshipType::SecurityTestContainsResult,
        RelationshipType::UserHasSecurityTestResult,
        RelationshipType::SecurityTestHasCategory,
        RelationshipType::AccountHasRiskScore,
        RelationshipType::UserManagesAccount,
        RelationshipType::UserIsPerson,
        RelationshipType::PersonReportsToPerson,
        RelationshipType::UserHasRiskScore,
        RelationshipType::UserGroupHasRiskScore,
    ];

    pub fn def(self) -> &'static RelationshipDef {
        &RELATIONSHIPS[self as usize]
    }

    /// `_type`.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn from_name(name: &str) -> Option<RelationshipType> {
        RelationshipType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for RelationshipType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const S: ValueType = ValueType::String;
const I: ValueType = ValueType::Integer;
const F: ValueType = ValueType::Float;
const DEC: ValueType = ValueType::Decimal;
const B: ValueType = ValueType::Boolean;
const DT: ValueType = ValueType::DateTime;
const D: ValueType = ValueType::Date;
const SA: ValueType = ValueType::StringArray;
const IA: ValueType = ValueType::IntegerArray;

const fn req(name: &'static str, value_type: ValueType, api: &'static [&'static str]) -> PropDef {
    PropDef {
        name,
        value_type,
        required: true,
        api,
    }
}

/// The property every entity carries with the name of the account it came from, as JupiterOne
/// tags the entities of an integration instance ("Tag with Account Name").
pub const ACCOUNT_TAG: &str = "tag.AccountName";

/// [`ACCOUNT_TAG`], the last declared property of every entity type. The graph holds it once
/// ([`crate::model::Graph::account_tag`]), not per entity.
const fn account_tag() -> PropDef {
    opt(ACCOUNT_TAG, S, &[])
}

const fn opt(name: &'static str, value_type: ValueType, api: &'static [&'static str]) -> PropDef {
    PropDef {
        name,
        value_type,
        required: false,
        api,
    }
}

/// Structural fields of every entity, written by exporters from the entity itself.
pub const ENTITY_BUILTINS: &[PropDef] = &[
    req("_key", S, &[]),
    req("_type", S, &[]),
    req("_class", SA, &[]),
];

/// Structural fields of every relationship. `displayName` is the `_class`, as JupiterOne does.
pub const RELATIONSHIP_BUILTINS: &[PropDef] = &[
    req("_key", S, &[]),
    req("_type", S, &[]),
    req("_class", S, &[]),
    req("_fromEntityKey", S, &[]),
    req("_toEntityKey", S, &[]),
    req("displayName", S, &[]),
];

/// Where a user, group or module came from when it is in none of its own listings
/// (`knownOnlyFrom`): sorted, from these values.
pub const KNOWN_ONLY_FROM_VALUES: &[&str] = &[
    "account_admin",
    "enrollment",
    "group_members",
    "phishing_result",
    "training_campaign",
];

const ACCOUNT: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    // Always [`ACCOUNT_VENDOR`]: JupiterOne's Account class requires the vendor.
    req("vendor", S, &[]),
    opt("type", S, &["type"]),
    opt("domains", SA, &["domains[]"]),
    opt("subscriptionLevel", S, &["subscription_level"]),
    opt("subscriptionEndDate", D, &["subscription_end_date"]),
    opt("numberOfSeats", I, &["number_of_seats"]),
    opt("currentRiskScore", F, &["current_risk_score"]),
    // `admins[]` are MANAGES relationships from the users they are, and
    // `account/risk_score_history` is `knowbe4_risk_score` entities.
    account_tag(),
];

const USER: &[PropDef] = &[
    // "First Last", else the e-mail address, else "user <id>".
    req("name", S, &[]),
    req("displayName", S, &[]),
    req("id", I, &["id"]),
    // A string on user records; an integer inside enrollments (leading zeros lost there).
    opt("employeeNumber", S, &["employee_number"]),
    opt("firstName", S, &["first_name"]),
    opt("lastName", S, &["last_name"]),
    opt("jobTitle", S, &["job_title"]),
    opt("email", S, &["email"]),
    opt("phishPronePercentage", F, &["phish_prone_percentage"]),
    opt("phoneNumber", S, &["phone_number"]),
    opt("extension", S, &["extension"]),
    opt("mobilePhoneNumber", S, &["mobile_phone_number"]),
    opt("location", S, &["location"]),
    opt("division", S, &["division"]),
    opt("managerName", S, &["manager_name"]),
    opt("managerEmail", S, &["manager_email"]),
    opt(
        "provisioningManaged",
        B,
        &["provisioning_managed", "adi_manageable"],
    ),
    opt(
        "provisioningGuid",
        S,
        &["provisioning_guid", "adi_guid", "active_directory_guid"],
    ),
    opt("groupIds", IA, &["groups[]"]),
    opt("currentRiskScore", F, &["current_risk_score"]),
    opt("aliases", SA, &["aliases[]"]),
    opt("joinedOn", DT, &["joined_on"]),
    opt("lastSignIn", DT, &["last_sign_in"]),
    opt("employeeStartDate", DT, &["employee_start_date"]),
    opt("archivedAt", DT, &["archived_at"]),
    opt("status", S, &["status"]),
    opt("organization", S, &["organization"]),
    opt("department", S, &["department"]),
    opt("language", S, &["language"]),
    opt("comment", S, &["comment"]),
    opt("customField1", S, &["custom_field_1"]),
    opt("customField2", S, &["custom_field_2"]),
    opt("customField3", S, &["custom_field_3"]),
    opt("customField4", S, &["custom_field_4"]),
    opt("customDate1", D, &["custom_date_1"]),
    opt("customDate2", D, &["custom_date_2"]),
    // Set only on a user in neither user listing, built from what mentions it.
    opt("knownOnlyFrom", SA, &[]),
    account_tag(),
];

const USER_GROUP: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    req("id", I, &["id"]),
    opt("groupType", S, &["group_type"]),
    opt("provisioningGuid", S, &["provisioning_guid", "adi_guid"]),
    opt("memberCount", I, &["member_count"]),
    opt("currentRiskScore", F, &["current_risk_score"]),
    opt("status", S, &["status"]),
    account_tag(),
];

const TRAINING_CAMPAIGN: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    req("campaignId", I, &["campaign_id"]),
    opt("groupIds", IA, &["groups[].group_id"]),
    opt("groupNames", SA, &["groups[].name"]),
    opt("status", S, &["status"]),
    opt("durationType", S, &["duration_type"]),
    opt("startDate", DT, &["start_date"]),
    opt("endDate", DT, &["end_date"]),
    opt("relativeDuration", S, &["relative_duration"]),
    opt("autoEnroll", B, &["auto_enroll"]),
    opt(
        "allowMultipleEnrollments",
        B,
        &["allow_multiple_enrollments"],
    ),
    opt("completionPercentage", F, &["completion_percentage"]),
    // `content[].content_id` of items that are neither a store purchase nor a policy.
    opt("unknownContentIds", IA, &[]),
    account_tag(),
];

const TRAINING_MODULE: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    opt(
        "storePurchaseId",
        I,
        &["store_purchase_id", "store_purchased_id"],
    ),
    opt("policyId", I, &["policy_id"]),
    opt("contentId", I, &["content_id"]),
    opt("contentType", S, &["content_type"]),
    opt("description", S, &["description"]),
    opt("type", S, &["type"]),
    opt("duration", I, &["duration"]),
    opt("retired", B, &["retired"]),
    opt("retirementDate", D, &["retirement_date"]),
    opt("publishDate", DT, &["publish_date"]),
    opt("publisher", S, &["publisher"]),
    opt("purchaseDate", DT, &["purchase_date"]),
    opt("policyUrl", S, &["policy_url"]),
    opt("minimumTime", I, &["minimum_time"]),
    opt("defaultLanguage", S, &["default_language"]),
    // `/training/policies` gives an integer status; campaign content gives `published`.
    opt("status", I, &["status"]),
    opt("published", B, &["published"]),
    opt("knownOnlyFrom", SA, &[]),
    account_tag(),
];

const PHISHING_CAMPAIGN: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    req("campaignId", I, &["campaign_id"]),
    opt("groupIds", IA, &["groups[].group_id"]),
    opt("groupNames", SA, &["groups[].name"]),
    opt(
        "lastPhishPronePercentage",
        F,
        &["last_phish_prone_percentage"],
    ),
    opt("lastRun", DT, &["last_run"]),
    opt("status", S, &["status"]),
    opt("hidden", B, &["hidden"]),
    opt("sendDuration", S, &["send_duration"]),
    opt("trackDuration", S, &["track_duration"]),
    opt("frequency", S, &["frequency"]),
    opt("difficultyFilter", IA, &["difficulty_filter[]"]),
    opt("createDate", DT, &["create_date"]),
    opt("pstsCount", I, &["psts_count"]),
    // The other fields of `psts[]` are on the CONTAINS relationships.
    opt("pstIds", IA, &["psts[].pst_id"]),
    // Listed by `/phishing/campaigns?campaign_type=callback`.
    req("callback", B, &[]),
    account_tag(),
];

const SECURITY_TEST: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    req("pstId", I, &["pst_id"]),
    opt("campaignId", I, &["campaign_id"]),
    opt("status", S, &["status"]),
    opt("groupIds", IA, &["groups[].group_id"]),
    opt("groupNames", SA, &["groups[].name"]),
    opt("phishPronePercentage", F, &["phish_prone_percentage"]),
    opt("startedAt", DT, &["started_at"]),
    opt("duration", I, &["duration"]),
    // As the API lists them; each id is also a HAS relationship to its category, which pairs it
    // with its name where a format's arrays are sets (RDF).
    opt("categoryIds", IA, &["categories[].category_id"]),
    opt("categoryNames", SA, &["categories[].name"]),
    opt("templateId", I, &["template.id"]),
    opt("templateName", S, &["template.name"]),
    opt("landingPageId", I, &["landing_page.id", "landing-page.id"]),
    opt(
        "landingPageName",
        S,
        &["landing_page.name", "landing-page.name"],
    ),
    opt("scheduledCount", I, &["scheduled_count"]),
    opt("deliveredCount", I, &["delivered_count"]),
    opt("openedCount", I, &["opened_count"]),
    opt("clickedCount", I, &["clicked_count"]),
    opt("repliedCount", I, &["replied_count"]),
    opt("attachmentOpenCount", I, &["attachment_open_count"]),
    opt("macroEnabledCount", I, &["macro_enabled_count"]),
    opt("dataEnteredCount", I, &["data_entered_count"]),
    opt("qrCodeScannedCount", I, &["qr_code_scanned_count"]),
    opt("reportedCount", I, &["reported_count"]),
    opt("bouncedCount", I, &["bounced_count"]),
    // Older API versions.
    opt("vulnerablePluginCount", I, &["vulnerable_plugin_count"]),
    opt("exploitedCount", I, &["exploited_count"]),
    // Constants JupiterOne's Assessment class requires: what kind of assessment every security
    // test is ([`SECURITY_TEST_CATEGORY`], [`SECURITY_TEST_SUMMARY`]), run by the account itself.
    req("category", S, &[]),
    req("summary", S, &[]),
    req("internal", B, &[]),
    account_tag(),
];

pub const ACCOUNT_VENDOR: &str = "KnowBe4";
pub const SECURITY_TEST_CATEGORY: &str = "Phishing Simulation";
pub const SECURITY_TEST_SUMMARY: &str = "KnowBe4 simulated phishing security test";

const SECURITY_TEST_RESULT: &[PropDef] = &[
    // The recipient's e-mail address, else "recipient <id>".
    req("name", S, &[]),
    req("displayName", S, &[]),
    req("recipientId", I, &["recipient_id"]),
    // The test whose recipients listing holds the result.
    req("pstId", I, &["pst_id"]),
    opt("userId", I, &["user.id"]),
    opt(
        "userProvisioningGuid",
        S,
        &[
            "user.provisioning_guid",
            "user.active_directory_guid",
            "user.adi_guid",
        ],
    ),
    opt("userFirstName", S, &["user.first_name"]),
    opt("userLastName", S, &["user.last_name"]),
    opt("userEmail", S, &["user.email"]),
    opt("templateId", I, &["template.id"]),
    opt("templateName", S, &["template.name"]),
    opt("scheduledAt", DT, &["scheduled_at"]),
    opt("deliveredAt", DT, &["delivered_at"]),
    opt("openedAt", DT, &["opened_at"]),
    opt("clickedAt", DT, &["clicked_at"]),
    opt("repliedAt", DT, &["replied_at"]),
    opt("attachmentOpenedAt", DT, &["attachment_opened_at"]),
    opt("macroEnabledAt", DT, &["macro_enabled_at"]),
    opt("dataEnteredAt", DT, &["data_entered_at"]),
    // Spelled without `_at` by the API.
    opt("qrCodeScanned", DT, &["qr_code_scanned"]),
    opt("reportedAt", DT, &["reported_at"]),
    opt("bouncedAt", DT, &["bounced_at"]),
    // Older API versions.
    opt(
        "vulnerablePluginsAt",
        DT,
        &["vulnerable-plugins_at", "vulnerable_plugins_at"],
    ),
    opt("exploitedAt", DT, &["exploited_at"]),
    opt("ip", S, &["ip"]),
    opt("ipLocation", S, &["ip_location"]),
    opt("browser", S, &["browser"]),
    opt("browserVersion", S, &["browser_version"]),
    opt("os", S, &["os"]),
    account_tag(),
];

/// One enrollment, on both its ASSIGNED and (when passed) COMPLETED relationship.
const ENROLLMENT: &[PropDef] = &[
    req("enrollmentId", I, &["enrollment_id"]),
    opt("status", S, &["status"]),
    opt("enrollmentDate", DT, &["enrollment_date"]),
    opt("startDate", DT, &["start_date"]),
    opt("completionDate", DT, &["completion_date"]),
    opt("timeSpent", I, &["time_spent"]),
    opt("policyAcknowledged", B, &["policy_acknowledged"]),
    opt("campaignId", I, &["campaign_id"]),
    opt("campaignName", S, &["campaign_name"]),
    opt("contentType", S, &["content_type"]),
    opt("moduleName", S, &["module_name"]),
    opt(
        "storePurchaseId",
        I,
        &["store_purchase_id", "store_purchased_id"],
    ),
    opt("policyId", I, &["policy_id"]),
];

/// A phishing campaign's summary of one of its tests (`psts[]` of the campaign record).
const CAMPAIGN_TEST: &[PropDef] = &[
    opt("status", S, &["status"]),
    opt("startDate", DT, &["start_date"]),
    opt("usersCount", I, &["users_count"]),
    opt("phishPronePercentage", F, &["phish_prone_percentage"]),
];

/// A phishing template category, as the security tests name it (`categories[]` of a test).
const PHISHING_CATEGORY: &[PropDef] = &[
    req("name", S, &["name"]),
    req("displayName", S, &[]),
    req("categoryId", I, &["category_id"]),
    account_tag(),
];

/// One point of the risk score history of the account (`account/risk_score_history`), of a
/// user or of a group (`users/<id>/risk_score_history`, `groups/<id>/risk_score_history`).
const RISK_SCORE: &[PropDef] = &[
    // "Risk score <date>", "Risk score of user <id> <date>" or "Risk score of group <id> <date>".
    req("name", S, &[]),
    req("displayName", S, &[]),
    req("date", D, &["date"]),
    req("riskScore", DEC, &["risk_score"]),
    account_tag(),
];

/// One of the account's `admins[]`, as the account record gives it: its place in the list and
/// the names and address it holds there (which may differ from the user record's).
const ADMIN: &[PropDef] = &[
    req("position", I, &[]),
    opt("firstName", S, &["first_name"]),
    opt("lastName", S, &["last_name"]),
    opt("email", S, &["email"]),
];

/// The person behind one or more users: what all of them agree on (see
/// `normalize/persons.rs`). Users are joined by any address they share, `email` or `aliases`.
const PERSON: &[PropDef] = &[
    // "First Last" when the users agree on them, else the e-mail address.
    req("name", S, &[]),
    req("displayName", S, &[]),
    // The key's address: the least of the users' own `email`s, trimmed and lowercased.
    req("email", S, &[]),
    // The other addresses of its users (e-mails and aliases), normalized and sorted.
    opt("aliases", SA, &[]),
    opt("firstName", S, &[]),
    opt("lastName", S, &[]),
    // The users' `employeeNumber`, named as JupiterOne's `Person` names it.
    opt("employeeId", S, &[]),
    opt("department", S, &[]),
    // The earliest of its users' `joinedOn`.
    opt("joinedOn", DT, &[]),
    // Whether any of its users is in `users/active`.
    req("active", B, &[]),
    account_tag(),
];

const NONE: &[PropDef] = &[];

/// The entity types, indexed by [`EntityType`].
pub static ENTITIES: [EntityDef; 11] = [
    EntityDef {
        entity_type: EntityType::Account,
        name: "knowbe4_account",
        classes: &["Account"],
        key: "knowbe4:account:<name lowercased>",
        properties: ACCOUNT,
    },
    EntityDef {
        entity_type: EntityType::User,
        name: "knowbe4_user",
        classes: &["User"],
        key: "knowbe4:user:<id>",
        properties: USER,
    },
    EntityDef {
        entity_type: EntityType::UserGroup,
        name: "knowbe4_user_group",
        classes: &["UserGroup"],
        key: "knowbe4:group:<id> (\"All Users\": knowbe4:group:0)",
        properties: USER_GROUP,
    },
    EntityDef {
        entity_type: EntityType::TrainingCampaign,
        name: "training_campaign",
        classes: &["Training"],
        key: "knowbe4:training:campaign:<campaign_id>",
        properties: TRAINING_CAMPAIGN,
    },
    EntityDef {
        entity_type: EntityType::TrainingModule,
        name: "training_module",
        classes: &["Training", "Module"],
        key: "knowbe4:training:purchase:<store_purchase_id> | knowbe4:training:policy:<policy_id> | knowbe4:training:name:<name> (known only by name)",
        properties: TRAINING_MODULE,
    },
    EntityDef {
        entity_type: EntityType::PhishingCampaign,
        name: "knowbe4_phishing_campaign",
        classes: &["Training"],
        key: "knowbe4:phishing:campaign:<campaign_id>",
        properties: PHISHING_CAMPAIGN,
    },
    EntityDef {
        entity_type: EntityType::PhishingSecurityTest,
        name: "knowbe4_phishing_security_test",
        classes: &["Assessment"],
        key: "knowbe4:phishing:security_test:<pst_id>",
        properties: SECURITY_TEST,
    },
    EntityDef {
        entity_type: EntityType::PhishingSecurityTestResult,
        name: "knowbe4_phishing_security_test_result",
        classes: &["Record"],
        key: "knowbe4:phishing:security_test:<pst_id>:recipient:<recipient_id>",
        properties: SECURITY_TEST_RESULT,
    },
    EntityDef {
        entity_type: EntityType::PhishingCategory,
        name: "knowbe4_phishing_category",
        classes: &["Record"],
        key: "knowbe4:phishing:category:<category_id>",
        properties: PHISHING_CATEGORY,
    },
    EntityDef {
        entity_type: EntityType::RiskScore,
        name: "knowbe4_risk_score",
        classes: &["Record"],
        key: "knowbe4:risk_score:account:<date> | knowbe4:risk_score:user:<id>:<date> | knowbe4:risk_score:group:<id>:<date> (fetch --risk-history)",
        properties: RISK_SCORE,
    },
    EntityDef {
        entity_type: EntityType::Person,
        name: "employee",
        classes: &["Person"],
        key: "knowbe4:person:<email trimmed and lowercased>",
        properties: PERSON,
    },
];

const fn rel(
    relationship_type: RelationshipType,
    name: &'static str,
    class: &'static str,
    from: EntityType,
    to: EntityType,
    properties: &'static [PropDef],
) -> RelationshipDef {
    RelationshipDef {
        relationship_type,
        name,
        class,
        from,
        to,
        per_enrollment: false,
        properties,
    }
}

const fn per_enrollment(mut def: RelationshipDef) -> RelationshipDef {
    def.per_enrollment = true;
    def
}

/// The relationship types, indexed by [`RelationshipType`].
pub static RELATIONSHIPS: [RelationshipDef; 19] = [
    rel(
        RelationshipType::AccountHasUser,
        "knowbe4_account_has_user",
        "HAS",
        EntityType::Account,
        EntityType::User,
        NONE,
    ),
    rel(
        RelationshipType::AccountHasUserGroup,
        "knowbe4_account_has_user_group",
        "HAS",
        EntityType::Account,
        EntityType::UserGroup,
        NONE,
    ),
    rel(
        RelationshipType::UserGroupHasUser,
        "knowbe4_user_group_has_user",
        "HAS",
        EntityType::UserGroup,
        EntityType::User,
        NONE,
    ),
    rel(
        RelationshipType::AccountHasTrainingCampaign,
        "knowbe4_account_has_training_campaign",
        "HAS",
        EntityType::Account,
        EntityType::TrainingCampaign,
        NONE,
    ),
    rel(
        RelationshipType::TrainingCampaignAssignedUserGroup,
        "training_campaign_assigned_knowbe4_user_group",
        "ASSIGNED",
        EntityType::TrainingCampaign,
        EntityType::UserGroup,
        NONE,
    ),
    rel(
        RelationshipType::TrainingCampaignHasModule,
        "training_campaign_has_module",
        "HAS",
        EntityType::TrainingCampaign,
        EntityType::TrainingModule,
        NONE,
    ),
    per_enrollment(rel(
        RelationshipType::TrainingModuleAssignedUser,
        "training_module_assigned_user",
        "ASSIGNED",
        EntityType::TrainingModule,
        EntityType::User,
        ENROLLMENT,
    )),
    per_enrollment(rel(
        RelationshipType::UserCompletedTrainingModule,
        "user_completed_training_module",
        "COMPLETED",
        EntityType::User,
        EntityType::TrainingModule,
        ENROLLMENT,
    )),
    rel(
        RelationshipType::AccountHasPhishingCampaign,
        "knowbe4_account_has_phishing_campaign",
        "HAS",
        EntityType::Account,
        EntityType::PhishingCampaign,
        NONE,
    ),
    rel(
        RelationshipType::PhishingCampaignContainsSecurityTest,
        "knowbe4_phishing_campaign_contains_phishing_security_test",
        "CONTAINS",
        EntityType::PhishingCampaign,
        EntityType::PhishingSecurityTest,
        CAMPAIGN_TEST,
    ),
    rel(
        RelationshipType::SecurityTestContainsResult,
        "phishing_security_test_contains_phishing_security_test_result",
        "CONTAINS",
        EntityType::PhishingSecurityTest,
        EntityType::PhishingSecurityTestResult,
        NONE,
    ),
    rel(
        RelationshipType::UserHasSecurityTestResult,
        "knowbe4_user_has_phishing_security_test_result",
        "HAS",
        EntityType::User,
        EntityType::PhishingSecurityTestResult,
        NONE,
    ),
    rel(
        RelationshipType::SecurityTestHasCategory,
        "knowbe4_phishing_security_test_has_phishing_category",
        "HAS",
        EntityType::PhishingSecurityTest,
        EntityType::PhishingCategory,
        NONE,
    ),
    rel(
        RelationshipType::AccountHasRiskScore,
        "knowbe4_account_has_risk_score",
        "HAS",
        EntityType::Account,
        EntityType::RiskScore,
        NONE,
    ),
    rel(
        RelationshipType::UserManagesAccount,
        "knowbe4_user_manages_account",
        "MANAGES",
        EntityType::User,
        EntityType::Account,
        ADMIN,
    ),
    rel(
        RelationshipType::UserIsPerson,
        "knowbe4_user_is_employee",
        "IS",
        EntityType::User,
        EntityType::Person,
        NONE,
    ),
    rel(
        RelationshipType::PersonReportsToPerson,
        "employee_reports_to_employee",
        "REPORTS_TO",
        EntityType::Person,
        EntityType::Person,
        NONE,
    ),
    rel(
        RelationshipType::UserHasRiskScore,
        "knowbe4_user_has_risk_score",
        "HAS",
        EntityType::User,
        EntityType::RiskScore,
        NONE,
    ),
    rel(
        RelationshipType::UserGroupHasRiskScore,
        "knowbe4_user_group_has_risk_score",
        "HAS",
        EntityType::UserGroup,
        EntityType::RiskScore,
        NONE,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn tables_are_indexed_by_their_enums() {
        for t in EntityType::ALL {
            assert_eq!(t.def().entity_type, t);
            assert_eq!(EntityType::from_name(t.name()), Some(t));
        }
        for t in RelationshipType::ALL {
            assert_eq!(t.def().relationship_type, t);
            assert_eq!(RelationshipType::from_name(t.name()), Some(t));
        }
    }

    #[test]
    fn property_names_are_unique_camel_case_and_entities_start_with_names() {
        let check = |props: &[PropDef]| {
            let mut seen = BTreeSet::new();
            for p in props {
                assert!(seen.insert(p.name), "{} twice", p.name);
                if p.name == ACCOUNT_TAG {
                    continue;
                }
                assert!(
                    p.name
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_lowercase())
                        && p.name.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{} is not camelCase",
                    p.name
                );
                assert!(p.api.len() < 4);
            }
        };
        for t in EntityType::ALL {
            let props = t.def().properties;
            check(props);
            assert_eq!(props[0].name, "name");
            assert_eq!(props[1].name, "displayName");
            assert!(props[0].required && props[1].required);
            assert_eq!(props.last().map(|p| p.name), Some(ACCOUNT_TAG));
            assert!(props.len() < 0x7fff);
        }
        for t in RelationshipType::ALL {
            check(t.def().properties);
        }
    }

    #[test]
    fn relationship_types_follow_their_endpoints() {
        // `knowbe4_account_has_user` and the like: the seed documents' names.
        for t in RelationshipType::ALL {
            let d = t.def();
            assert!(
                [
                    "HAS",
                    "ASSIGNED",
                    "COMPLETED",
                    "CONTAINS",
                    "MANAGES",
                    "IS",
                    "REPORTS_TO"
                ]
                .contains(&d.class)
            );
            assert_eq!(d.key_class(), d.class.to_ascii_lowercase());
            assert_eq!(
                d.per_enrollment,
                matches!(
                    t,
                    RelationshipType::TrainingModuleAssignedUser
                        | RelationshipType::UserCompletedTrainingModule
                )
            );
        }
    }
}
