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

/// The pools one organisation draws its strings from; [`EVERYDAY`] or [`HOSTILE`].
pub struct Pools {
    pub first_names: &'static [(&'static str, &'static str)],
    pub last_names: &'static [(&'static str, &'static str)],
    pub job_titles: &'static [&'static str],
    pub departments: &'static [&'static str],
    pub comments: &'static [&'static str],
    pub custom_fields: &'static [&'static str],
    pub accounts: &'static [(&'static str, &'static str, &'static str)],
    pub group_names: &'static [&'static str],
    pub phish_campaign_names: &'static [&'static str],
    pub templates: &'static [&'static str],
    pub module_names: &'static [&'static str],
    pub policy_names: &'static [&'static str],
    pub training_campaign_names: &'static [&'static str],
}

pub static EVERYDAY: Pools = Pools {
    first_names: FIRST_NAMES,
    last_names: LAST_NAMES,
    job_titles: JOB_TITLES,
    departments: DEPARTMENTS,
    comments: COMMENTS,
    custom_fields: CUSTOM_FIELDS,
    accounts: ACCOUNTS,
    group_names: GROUP_NAMES,
    phish_campaign_names: PHISH_CAMPAIGN_NAMES,
    templates: TEMPLATES,
    module_names: MODULE_NAMES,
    policy_names: POLICY_NAMES,
    training_campaign_names: TRAINING_CAMPAIGN_NAMES,
};

/// What breaks CSV, XML and Turtle readers, as real directories hold it: `\"` and a trailing
/// backslash (CSV readers that quote with backslashes), the array delimiters `;`, `|` and
/// U+001F, CR, LF and CRLF, `]]>` and markup, a BOM, bidi controls, emoji, leading and trailing
/// spaces, formula prefixes, and names ending in `.` (`Inc.`, `Jr.`: a Turtle local name cannot
/// end in an unescaped `.`).
pub static HOSTILE: Pools = Pools {
    first_names: &[
        ("J.", "j"),
        ("Zoë \"Zee\"", "zoe"),
        ("Back\\slash\\", "backslash"),
        ("Quote\\\"d", "quoted"),
        ("Ana 🌸", "ana"),
        ("محمد", "mohammed"),
        ("Semi;colon", "semi"),
        ("Pipe|Line", "pipe"),
        ("Unit\u{1f}Sep", "unit"),
        ("Line\nBreak", "line"),
        ("Crlf\r\nName", "crlf"),
        ("Comma, Jr.", "comma"),
        (" Padded ", "padded"),
        ("Alice", "alice"),
    ],
    last_names: &[
        ("Smith Jr.", "smith"),
        ("O'Brien", "obrien"),
        ("\"Dutch\" Schultz", "schultz"),
        ("Trailing\\", "trailing"),
        ("\\\"Esc\\\"", "esc"),
        ("כהן.", "cohen"),
        ("Johansson", "johansson"),
        ("a;b|c\u{1f}d", "abcd"),
        ("\u{202e}Override", "override"),
        ("Doe,", "doe"),
        ("Tab\tName", "tab"),
        ("=SUM(A1)", "sum"),
        ("Carriage\rReturn", "carriage"),
        ("\u{feff}Bom", "bom"),
    ],
    job_titles: &[
        "C:\\Users\\",
        "Engineer\r\nLevel 2",
        "VP \\\"Special\\\" Projects",
        "Head of R&D; Ops|IT",
        "\u{1f}Sep\u{1f}",
        "Chief 🍕 Officer",
        "مهندس برمجيات.",
        "Ends with a dot.",
        "<b>Bold</b> & ]]> 'quoted'",
        "\"",
        "\\",
    ],
    departments: &[
        "Sales, EMEA.",
        "IT \\\"Ops\\\"",
        "R&D|Labs;",
        "Finance\u{1f}",
        "משאבי אנוש",
        "Legal\r\n",
    ],
    comments: &[
        "Line one\r\nLine two",
        "trailing backslash \\",
        "quote \\\" inside",
        "\"\"",
        "a,b;c|d\u{1f}e",
        "🔥🔥",
        "\u{202b}RTL embed\u{202c}",
        "ends in a dot.",
        "...",
        "\n",
        "",
    ],
    custom_fields: &[
        "a\u{1f}b",
        "x;y|z",
        "trailing\\",
        "Tier 1.",
        "\"quoted\"",
        "🦄\r\n",
    ],
    accounts: &[
        ("Example Corp.", "example.example", "example-corp.example"),
        ("Acme \"Widgets\", Ltd.", "acme.example", "acme-ltd.example"),
    ],
    group_names: &[
        "Ops.",
        "Sales; EMEA|West",
        "R&D \\\"Core\\\"",
        "Unit\u{1f}Sep",
        "Night\r\nShift",
        "Back\\",
        "المالية.",
        "Emoji 🚀",
        "\"Quoted\"",
        "<xml> & 'stuff' ]]>",
        "Finance",
        " Leading space",
    ],
    phish_campaign_names: &[
        "Invoice \\\"Urgent\\\"",
        "Reset; now|today.",
        "Callback\r\nHelpdesk",
        "Gift\u{1f}Card",
        "حملة التصيد.",
        "C:\\Temp\\",
    ],
    templates: &[
        "Your package \"could not\" be delivered.",
        "Password\\expires; today|now",
        "Zoom: Missed meeting 📹\r\n",
    ],
    module_names: &[
        "Security Awareness Training 2025",
        "Phishing \\\"Fundamentals\\\"",
        "Password Hygiene; Part|1.",
        "Ransomware\u{1f}101 💾",
        "PCI Compliance\r\nfor Retail",
        "أساسيات الأمن.",
        "Trailing\\",
    ],
    policy_names: &[
        "Acceptable Use Policy.",
        "Remote Work \"Guidelines\"",
        "מדיניות; פרטיות|",
    ],
    training_campaign_names: &[
        "Annual Security Awareness.",
        "New Hire \\\"Onboarding\\\"",
        "Remedial; Clickers|Q1",
        "Compliance\r\n\"Must Do\"",
        "تدريب سنوي\u{1f}",
        "Back\\",
    ],
};
