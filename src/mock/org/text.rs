//! Word pools for synthetic people and things.
//!
//! The pools deliberately mix plain ASCII with what breaks exporters: commas, double quotes,
//! newlines, emoji, right-to-left scripts and control characters (BEL, ESC).

/// (display name, ASCII form for e-mail addresses)
pub const FIRST_NAMES: &[(&str, &str)] = &[
    ("Alice", "alice"),
    ("Bob", "bob"),
    ("Chloé", "chloe"),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("محمد", "mohammed"),
    ("فاطمة", "fatima"),
    ("שרה", "sarah"),
    ("דוד", "david"),
    ("Łukasz", "lukasz"),
    ("Søren", "soren"),
    ("Amélie", "amelie"),
    ("Ana 🌸", "ana"),
    ("李", "li"),
    ("Priya", "priya"),
    ("Olumide", "olumide"),
    ("Mary-Jane", "maryjane"),
    ("Jean, Jr.", "jean"),
    ("Wei", "wei"),
    ("Hannah", "hannah"),
    ("Kwame", "kwame"),
    ("Sven", "sven"),
    ("Ingrid", "ingrid"),
    ("Tom", "tom"),
    ("Grace", "grace"),
    ("Mateo", "mateo"),
    ("Yuki", "yuki"),
    ("Aisha", "aisha"),
    ("Noa", "noa"),
    ("Liam", "liam"),
];

pub const LAST_NAMES: &[(&str, &str)] = &[
    ("Smith", "smith"),
    ("O'Brien", "obrien"),
    ("García-López", "garcialopez"),
    ("\"Dutch\" Schultz", "schultz"),
    ("Müller", "muller"),
    ("عبدالله", "abdullah"),
    ("כהן", "cohen"),
    ("van der Berg", "vanderberg"),
    ("Doe, Jr.", "doe"),
    ("Ng", "ng"),
    ("Kowalski", "kowalski"),
    ("Tanaka", "tanaka"),
    ("Nakamura 🎌", "nakamura"),
    ("Okafor", "okafor"),
    ("Johansson", "johansson"),
    ("Rossi", "rossi"),
    ("Dubois", "dubois"),
    ("Nguyễn", "nguyen"),
    ("Patel", "patel"),
    ("Brown", "brown"),
    ("Lee", "lee"),
    ("Martin", "martin"),
    ("Levi", "levi"),
    ("Haddad", "haddad"),
];

pub const JOB_TITLES: &[&str] = &[
    "Software Engineer",
    "Director, Finance",
    "VP of \"Special\" Projects",
    "Analyst\nLevel 2",
    "مهندس برمجيات",
    "מנהל מוצר",
    "Chief 🍕 Officer",
    "Bell\u{0007}Ringer",
    "Sales Representative (EMEA)",
    "Accountant",
    "HR Business Partner",
    "IT Administrator",
    "Customer Success Manager",
    "Intern",
    "Security Analyst",
];

pub const LOCATIONS: &[&str] = &[
    "Paris, France",
    "New York, NY",
    "Tel Aviv",
    "دبي",
    "São Paulo",
    "Remote 🏠",
    "Building 4\nFloor 2",
    "London",
    "Tampa, FL",
    "Berlin",
    "Singapore",
    "Toronto",
];

pub const DEPARTMENTS: &[&str] = &[
    "Finance",
    "R&D",
    "Sales, EMEA",
    "IT \"Ops\"",
    "الموارد البشرية",
    "משאבי אנוש",
    "Marketing",
    "Legal",
    "Customer Support",
    "Engineering",
];

pub const DIVISIONS: &[&str] = &[
    "Corporate",
    "Field, West",
    "Manufacturing",
    "Research 🔬",
    "Shared Services",
];

pub const COMMENTS: &[&str] = &[
    "Contractor; badge #42",
    "Line one\nLine two",
    "Escape \u{001b}[31mred\u{001b}[0m",
    "Said \"hi\", then left",
    "مرحبا بالعالم",
    "שלום עולם",
    "🔥 VIP 🔥",
    "tab\there",
    "bell\u{0007}",
    "Back from leave",
    "",
];

pub const LANGUAGES: &[&str] = &[
    "en-us", "en-gb", "fr-fr", "de-de", "ar", "he", "es-es", "ja", "pt-br",
];

pub const ORGANIZATIONS: &[&str] = &["Northwind", "Northwind Labs, LLC", "Northwind \"East\""];

pub const CUSTOM_FIELDS: &[&str] = &[
    "Tier 1",
    "Cost centre 4711",
    "On-call, weekends",
    "🦄",
    "Badge\nB-12",
    "VIP",
];

/// (account display name, primary domain, second domain)
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    (
        "Northwind Traders",
        "northwind.example",
        "nw-traders.example",
    ),
    ("Acme Widgets, Inc.", "acme.example", "acme-widgets.example"),
    ("Globex Corporation", "globex.example", "globex.example.org"),
    ("Initech Europe", "initech.example", "initech.example.eu"),
];

pub const GROUP_NAMES: &[&str] = &[
    "Finance",
    "Engineering",
    "Sales, EMEA",
    "R&D \"Core\"",
    "Sales 🚀",
    "المالية",
    "כספים",
    "Executives",
    "New Hires",
    "Contractors",
    "IT Admins",
    "Customer Support",
    "Remote Workers",
    "High Risk Users",
    "Legal & Compliance",
    "Warehouse\nNight Shift",
];

pub const PHISH_CAMPAIGN_NAMES: &[&str] = &[
    "Quarterly Baseline",
    "Holiday Gift Card",
    "Invoice Overdue, Urgent",
    "\"IT Password Reset\" Test",
    "Callback: Fake Helpdesk",
    "Executive Whaling 🐋",
    "New Hire Welcome",
    "حملة التصيد",
];

pub const TEMPLATES: &[&str] = &[
    "Your package could not be delivered",
    "Microsoft 365: Password expires today",
    "HR: Updated holiday policy, please read",
    "DocuSign: \"Contract\" awaiting signature",
    "Amazon: Order #1234 shipped",
    "Zoom: Missed meeting 📹",
];

pub const LANDING_PAGES: &[&str] = &[
    "Oops! You clicked a phishing link",
    "Credential capture, generic",
    "Red flags 🚩 explained",
];

pub const CATEGORIES: &[&str] = &[
    "Banking and Finance",
    "Online Services",
    "IT",
    "HR",
    "Current Events",
    "Social Media",
];

pub const MODULE_NAMES: &[&str] = &[
    "Security Awareness Training 2025",
    "Phishing Fundamentals",
    "Password Hygiene, Part 1",
    "Social Engineering Red Flags",
    "\"Safe\" Browsing",
    "Ransomware 101 💾",
    "GDPR Essentials",
    "أساسيات الأمن",
    "Mobile Device Security",
    "Insider Threats",
    "Business Email Compromise",
    "PCI Compliance\nfor Retail",
];

pub const POLICY_NAMES: &[&str] = &[
    "Acceptable Use Policy",
    "Information Security Policy, v3",
    "Remote Work \"Guidelines\"",
    "Clean Desk Policy",
    "מדיניות פרטיות",
];

pub const TRAINING_CAMPAIGN_NAMES: &[&str] = &[
    "Annual Security Awareness",
    "New Hire Onboarding",
    "Remedial Training, Clickers",
    "Policy Acknowledgement Q1",
    "Executive Briefing 🎓",
    "Compliance \"Must Do\"",
    "تدريب سنوي",
];

pub const BROWSERS: &[(&str, &str)] = &[
    ("Chrome", "126.0"),
    ("Firefox", "127.0"),
    ("Safari", "17.5"),
    ("Edge", "125.0"),
    ("Outlook", "16.0"),
];

pub const OSES: &[&str] = &[
    "Windows 10",
    "Windows 11",
    "Mac OS X",
    "iOS",
    "Android",
    "Linux",
];

pub const IP_LOCATIONS: &[&str] = &[
    "Tampa, FL, US",
    "London, GB",
    "Paris, FR",
    "Tel Aviv, IL",
    "Dubai, AE",
    "São Paulo, BR",
];
