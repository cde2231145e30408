"""Word lists for scripts/make_example.py: invented but realistic child-welfare literature.

Nothing here is a real publication. Journal names are real journals (so that database coverage
looks right); every title, abstract, author and DOI built from these lists is invented.
"""

from __future__ import annotations

# ---- people -------------------------------------------------------------------------------
SURNAMES = """
Abbott Acosta Adeyemi Ahmed Alvarez Anderson Andrade Armstrong Asante Atkinson Bailey Baker
Banerjee Barker Barnes Bartholomew Becker Bell Bennett Bergström Bishop Blackwell Boateng Bowen
Boyd Bradley Brennan Brooks Bryant Burke Byrne Caldwell Calloway Campbell Carlson Carmichael
Carter Castillo Chan Chandler Chen Choi Clarke Coleman Collins Connolly Cooper Cordero Costa
Crawford Cruz Cunningham Dalton Daniels Davidson Dawson Delgado Dennison Desai Díaz Dixon Doherty
Donovan Douglas Doyle Duarte Dubois Duncan Dunn Eastman Edwards Ellison Engström Erickson Espinoza
Evans Farrell Ferguson Fernández Figueroa Fischer Fitzgerald Fleming Fletcher Flores Foster Fowler
Francis Franklin Fraser Friedman Fuller Gallagher Garcia Garrett Gibson Gilbert Goldberg Gómez
González Goodman Gordon Graham Grant Gray Greene Griffin Gunderson Gutierrez Hall Hamilton Hansen
Harper Harrington Hartley Hawkins Hayes Henderson Hernández Hoffman Holland Holmes Horvath Howard
Hughes Hunter Ibrahim Ingram Jackson Jacobs Jansen Jensen Jiménez Johansson Johnson Jordan Kaplan
Kaur Keller Kelly Kennedy Khan Kim Kimura Klein Knight Kowalski Kramer Kruger Kumar Lambert Larsen
Lawrence Lee Lehmann Leonard Levine Lewis Lindqvist Liu Lopez Lowe Lundgren MacDonald Mahoney
Maldonado Malik Marsh Martin Martínez Mason Matthews McCarthy McKenzie Medina Mendoza Meyer Miller
Mitchell Molina Montgomery Moreno Morgan Morris Müller Murphy Nakamura Navarro Nelson Newman
Nguyen Nielsen Nolan Novak Núñez O'Brien O'Connor Okafor Oliveira Olsen Ortega Ortiz Osei Owens
Park Parker Patel Patterson Pearson Peña Perez Peters Peterson Phillips Pierce Porter Powell Price
Quinn Ramírez Ramos Reed Reid Reyes Reynolds Rhodes Richardson Riley Rivera Roberts Robinson
Rodríguez Rogers Romero Rosen Ross Russell Ryan Salazar Sanchez Sandoval Santos Schmidt Schneider
Schwartz Scott Shapiro Sharma Shaw Silva Simmons Singh Sinclair Sørensen Spencer Stewart Stone
Sullivan Sutherland Suzuki Tanaka Taylor Thompson Torres Tran Tucker Turner Valdez Vance Vargas
Vasquez Vaughn Wagner Walker Wallace Walsh Wang Ward Warren Watanabe Watson Weber Webster Wheeler
White Whitfield Williams Wilson Wong Wright Wu Yamamoto Yang Young Zhang Zhou Zimmerman
""".split()

GIVEN = """
Aaron Abigail Adam Aisha Alejandro Alexandra Alice Alicia Amanda Amir Ana Andrea Andrew Angela
Anna Anthony Ashley Barbara Benjamin Beth Brian Caitlin Camila Carlos Carmen Caroline Catherine
Charles Chloe Christina Christopher Claire Daniel Danielle David Deborah Denise Diana Dmitri
Dolores Dominique Elena Elizabeth Emily Emma Eric Erin Esther Fatima Felix Fiona Gabriel Grace
Hannah Harold Heather Helen Hiroshi Ian Ingrid Isabel Jacob James Janet Jasmine Jennifer Jessica
Joanna John Jonathan Jorge José Joseph Julia Karen Katherine Kathleen Keisha Kevin Kimberly Lars
Laura Lauren Leah Linda Lisa Lucia Luis Margaret Maria Marie Mark Martha Matthew Megan Melissa
Michael Michelle Miguel Monica Nadia Nancy Naomi Natalie Nicole Olivia Omar Patricia Paul Pedro
Peter Priya Rachel Rebecca Richard Robert Rosa Ruth Samantha Sandra Sarah Sean Sophia Stephanie
Steven Susan Tamara Teresa Thomas Timothy Valerie Victoria Wei William Yasmin Yuki Zoe
""".split()

MIDDLE_INITIALS = "A B C D E F G H J K L M N P R S T W".split()

# ---- journals ------------------------------------------------------------------------------
# (full name, WoS J9, ISO abbreviation, publisher code for invented DOIs, ISSN-like)
JOURNALS_ELSEVIER = [
    ("Child Abuse & Neglect", "CHILD ABUSE NEGLECT", "Child Abuse Negl.", "chiabu"),
    (
        "Children and Youth Services Review",
        "CHILD YOUTH SERV REV",
        "Child. Youth Serv. Rev.",
        "childyouth",
    ),
    (
        "Evaluation and Program Planning",
        "EVAL PROGRAM PLANN",
        "Eval. Program Plan.",
        "evalprogplan",
    ),
    (
        "Journal of Substance Abuse Treatment",
        "J SUBST ABUSE TREAT",
        "J. Subst. Abuse Treat.",
        "jsat",
    ),
    ("Social Science & Medicine", "SOC SCI MED", "Soc. Sci. Med.", "socscimed"),
    ("Journal of Adolescence", "J ADOLESCENCE", "J. Adolesc.", "adolescence"),
    ("Addictive Behaviors", "ADDICT BEHAV", "Addict. Behav.", "addbeh"),
    (
        "International Journal of Law and Psychiatry",
        "INT J LAW PSYCHIAT",
        "Int. J. Law Psychiatry",
        "ijlp",
    ),
    (
        "Journal of Pediatric Health Care",
        "J PEDIATR HEALTH CAR",
        "J. Pediatr. Health Care",
        "pedhc",
    ),
    ("Early Childhood Research Quarterly", "EARLY CHILD RES Q", "Early Child. Res. Q.", "ecresq"),
]
JOURNALS_APA = [
    ("Journal of Family Psychology", "J FAM PSYCHOL", "J. Fam. Psychol.", "fam"),
    ("American Journal of Orthopsychiatry", "AM J ORTHOPSYCHIAT", "Am. J. Orthopsychiatry", "ort"),
    ("Psychology of Violence", "PSYCHOL VIOLENCE", "Psychol. Violence", "vio"),
    ("Psychological Services", "PSYCHOL SERV", "Psychol. Serv.", "ser"),
    ("Developmental Psychology", "DEV PSYCHOL", "Dev. Psychol.", "dev"),
    (
        "Couple and Family Psychology: Research and Practice",
        "COUPLE FAM PSYCHOL-R",
        "Couple Fam. Psychol.",
        "cfp",
    ),
    ("Psychiatric Rehabilitation Journal", "PSYCHIATR REHABIL J", "Psychiatr. Rehabil. J.", "prj"),
    (
        "Psychological Trauma: Theory, Research, Practice, and Policy",
        "PSYCHOL TRAUMA-US",
        "Psychol. Trauma",
        "tra",
    ),
    (
        "Journal of Consulting and Clinical Psychology",
        "J CONSULT CLIN PSYCH",
        "J. Consult. Clin. Psychol.",
        "ccp",
    ),
    (
        "Professional Psychology: Research and Practice",
        "PROF PSYCHOL-RES PR",
        "Prof. Psychol. Res. Pract.",
        "pro",
    ),
]
JOURNALS_SOCIAL_WORK = [
    ("Child & Family Social Work", "CHILD FAM SOC WORK", "Child Fam. Soc. Work", "cfs"),
    ("Journal of Public Child Welfare", "J PUBLIC CHILD WELF", "J. Public Child Welf.", "15548732"),
    ("Child Welfare", "CHILD WELFARE", "Child Welfare", "cw"),
    ("Families in Society", "FAM SOC-J CONTEMP SO", "Fam. Soc.", "fis"),
    ("Social Work", "SOC WORK", "Soc. Work", "sw"),
    ("British Journal of Social Work", "BRIT J SOC WORK", "Br. J. Soc. Work", "bjsw"),
    ("Research on Social Work Practice", "RES SOCIAL WORK PRAC", "Res. Soc. Work Pract.", "rswp"),
    ("Journal of Social Service Research", "J SOC SERV RES", "J. Soc. Serv. Res.", "01488376"),
    ("Qualitative Social Work", "QUAL SOC WORK", "Qual. Soc. Work", "qsw"),
    ("Child Abuse Review", "CHILD ABUSE REV", "Child Abuse Rev.", "car"),
    ("Children & Society", "CHILD SOC", "Child. Soc.", "chso"),
    ("Australian Social Work", "AUST SOC WORK", "Aust. Soc. Work", "0312407x"),
    ("Journal of Social Work Practice", "J SOC WORK PRACT", "J. Soc. Work Pract.", "02650533"),
    ("Clinical Social Work Journal", "CLIN SOC WORK J", "Clin. Soc. Work J.", "s10615"),
    (
        "Child and Adolescent Social Work Journal",
        "CHILD ADOLESC SOC WO",
        "Child Adolesc. Soc. Work J.",
        "s10560",
    ),
    ("Journal of Family Social Work", "J FAM SOC WORK", "J. Fam. Soc. Work", "10522158"),
    ("Social Work Research", "SOC WORK RES", "Soc. Work Res.", "swr"),
    (
        "Journal of Evidence-Based Social Work",
        "J EVID-BASED SOC WOR",
        "J. Evid. Based Soc. Work",
        "23761407",
    ),
]
JOURNALS_OTHER = [
    ("Child Maltreatment", "CHILD MALTREATMENT", "Child Maltreat.", "1077559"),
    ("Journal of Child and Family Studies", "J CHILD FAM STUD", "J. Child Fam. Stud.", "s10826"),
    ("Journal of Family Violence", "J FAM VIOLENCE", "J. Fam. Violence", "s10896"),
    ("Family Process", "FAM PROCESS", "Fam. Process", "famp"),
    (
        "Journal of Interpersonal Violence",
        "J INTERPERS VIOLENCE",
        "J. Interpers. Violence",
        "0886260",
    ),
    ("Family Relations", "FAM RELAT", "Fam. Relat.", "fare"),
    ("Journal of Marriage and Family", "J MARRIAGE FAM", "J. Marriage Fam.", "jomf"),
    (
        "Community Mental Health Journal",
        "COMMUNITY MENT HLT J",
        "Community Ment. Health J.",
        "s10597",
    ),
    (
        "Health & Social Care in the Community",
        "HEALTH SOC CARE COMM",
        "Health Soc. Care Community",
        "hsc",
    ),
    ("Infant Mental Health Journal", "INFANT MENT HEALTH J", "Infant Ment. Health J.", "imhj"),
    (
        "Maternal and Child Health Journal",
        "MATERN CHILD HLTH J",
        "Matern. Child Health J.",
        "s10995",
    ),
    ("Journal of Community Psychology", "J COMMUNITY PSYCHOL", "J. Community Psychol.", "jcop"),
    (
        "American Journal of Community Psychology",
        "AM J COMMUN PSYCHOL",
        "Am. J. Community Psychol.",
        "ajcp",
    ),
    ("Prevention Science", "PREV SCI", "Prev. Sci.", "s11121"),
    ("Juvenile and Family Court Journal", "JUV FAM COURT J", "Juv. Fam. Court J.", "jfcj"),
    ("Family Court Review", "FAM COURT REV", "Fam. Court Rev.", "fcre"),
    ("Journal of Child Custody", "J CHILD CUSTODY", "J. Child Custody", "15379418"),
    (
        "International Journal on Child Maltreatment: Research, Policy and Practice",
        "INT J CHILD MALTREAT",
        "Int. J. Child Maltreat.",
        "s42448",
    ),
]

# ---- titles: topic classes -----------------------------------------------------------------
# Each class is (exclusion reason, weight, slot lists). Titles are built from patterns whose slots
# come from the class's lists; the abstract sentences reuse the same slots.
PLACES = [
    "a Midwestern county",
    "rural Appalachia",
    "New York City",
    "Los Angeles County",
    "two Canadian provinces",
    "Ontario",
    "British Columbia",
    "England",
    "Scotland",
    "Wales",
    "Northern Ireland",
    "Ireland",
    "New South Wales",
    "Victoria, Australia",
    "Queensland",
    "New Zealand",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "the Netherlands",
    "Germany",
    "Israel",
    "South Africa",
    "Chile",
    "Texas",
    "California",
    "Illinois",
    "Florida",
    "Ohio",
    "Michigan",
    "Washington State",
    "Oregon",
    "Minnesota",
    "Pennsylvania",
    "Georgia",
    "North Carolina",
    "a large urban county",
    "three Southern states",
    "a tribal community",
    "an urban Indigenous community",
    "Hong Kong",
    "South Korea",
    "Japan",
    "Spain",
    "Portugal",
    "Italy",
    "Belgium",
    "Quebec",
    "Alberta",
]

POPULATIONS = [
    "child welfare-involved families",
    "families investigated for neglect",
    "mothers with substance use disorders",
    "fathers in child protection cases",
    "kinship caregivers",
    "foster youth",
    "young children in out-of-home care",
    "adolescent mothers",
    "families receiving in-home services",
    "parents with intellectual disabilities",
    "parents with serious mental illness",
    "immigrant families",
    "Indigenous families",
    "Black families",
    "Latino families",
    "low-income mothers",
    "grandparents raising grandchildren",
    "infants removed at birth",
    "caseworkers",
    "child protection social workers",
    "families experiencing homelessness",
    "survivors of intimate partner violence",
    "children with disabilities",
    "families in rural communities",
    "parents in family drug treatment courts",
    "families referred for differential response",
    "siblings in foster care",
    "youth aging out of care",
    "families reported for physical abuse",
    "military families",
    "refugee families",
    "single fathers",
    "pregnant women in treatment",
    "reunified families",
    "adoptive families",
    "families with prior maltreatment reports",
    "children exposed to domestic violence",
    "teenage parents in care",
    "families in poverty",
    "parents in prison",
]

CLASSES: dict[str, dict[str, list[str]]] = {
    # Child-welfare research that is not about a peer programme (the bulk of any CP search).
    "not-programme": {
        "topic": [
            "Placement stability",
            "Reunification timing",
            "Re-entry into foster care",
            "Maltreatment recurrence",
            "Caseworker turnover",
            "Substantiation decisions",
            "Racial disproportionality",
            "Kinship placement",
            "Neglect reports",
            "Risk assessment accuracy",
            "Family group decision making",
            "Child removal",
            "Parental substance use",
            "Intimate partner violence",
            "Housing instability",
            "Economic hardship",
            "Termination of parental rights",
            "Permanency planning",
            "Sibling placement",
            "Case plan compliance",
            "Worker-parent relationships",
            "Mandated reporting",
            "Structured decision making",
            "Visitation frequency",
            "Trauma-informed practice",
            "Differential response",
            "Child fatality reviews",
            "Service referral patterns",
            "Court delays",
            "Family preservation services",
            "Out-of-home care",
            "Placement disruption",
            "Parental incarceration",
            "Emergency removals",
            "Child protection investigations",
            "Safety planning",
            "Aftercare services",
            "Family reunification services",
            "Early childhood home visiting",
            "Screening decisions at the hotline",
        ],
        "outcome": [
            "child well-being",
            "permanency outcomes",
            "re-reports to child protective services",
            "time to reunification",
            "placement moves",
            "school outcomes",
            "behavioural problems",
            "emotional and behavioural health",
            "service use",
            "adoption timelines",
            "case closure",
            "parenting stress",
            "caregiver depression",
            "child safety",
            "re-entry to care",
            "worker decision making",
            "family functioning",
            "court outcomes",
            "service engagement",
            "developmental outcomes",
        ],
        "design": [
            "a longitudinal analysis",
            "a population-based cohort study",
            "evidence from administrative data",
            "a multilevel analysis",
            "a survival analysis",
            "a mixed-methods study",
            "a secondary analysis of national survey data",
            "a propensity score analysis",
            "a qualitative study",
            "a cross-sectional survey",
            "findings from a statewide evaluation",
            "a retrospective case-file review",
            "a latent class analysis",
            "a natural experiment",
            "a ten-year follow-up",
            "a comparative case study",
            "an interrupted time series",
            "a linked-data study",
            "results from a national sample",
            "a prospective study",
        ],
        "experience": [
            "child protection investigations",
            "family court",
            "the removal of a child",
            "case planning meetings",
            "supervised visitation",
            "reunification",
            "working with caseworkers",
            "kinship care",
            "the foster care system",
        ],
    },
    # Youth, children, professionals: not parents.
    "wrong-population": {
        "topic": [
            "Youth peer mentoring",
            "Peer mentoring for youth in foster care",
            "Adolescent peer support groups",
            "Mentoring relationships for foster youth",
            "Peer-led programmes for care leavers",
            "Youth advocacy boards",
            "Caseworker peer consultation",
            "Peer supervision for child protection workers",
            "Natural mentoring for adolescents in care",
            "Peer support among care-experienced students",
            "Youth-led participation in child welfare",
            "Sibling mentoring in foster care",
            "Peer coaching for new caseworkers",
            "Youth peer advocates in juvenile justice",
            "Group mentoring for girls in care",
        ],
        "outcome": [
            "educational attainment",
            "self-esteem",
            "placement stability",
            "worker retention",
            "transition to adulthood",
            "delinquency",
            "housing stability",
            "employment",
            "burnout",
            "job satisfaction",
            "social connectedness",
            "help-seeking",
        ],
        "design": [
            "a randomized trial",
            "a qualitative study",
            "a pilot evaluation",
            "a quasi-experimental study",
            "a mixed-methods evaluation",
            "a longitudinal study",
            "a participatory study",
            "an implementation study",
        ],
        "experience": [
            "mentoring",
            "leaving care",
            "peer support",
            "supervision",
            "youth participation",
        ],
    },
    # Parents, peers, but not CP-involved (health, schools, general parenting).
    "not-cp-involved": {
        "topic": [
            "Peer support for mothers with postnatal depression",
            "Breastfeeding peer counselling",
            "Parent-to-parent support for families of children with autism",
            "Peer support for parents of premature infants",
            "Community parenting programmes",
            "Parent peer support in paediatric mental health",
            "Peer-led parenting groups",
            "Parent mentors in early intervention",
            "Family peer advocates in children's mental health",
            "Peer support for bereaved parents",
            "Parent-to-parent programmes in neonatal care",
            "Peer support for parents of children with cancer",
            "Father involvement programmes",
            "Universal parenting support",
            "Peer home visiting for first-time mothers",
            "Parent peer navigators in paediatric primary care",
        ],
        "outcome": [
            "maternal depressive symptoms",
            "parenting confidence",
            "breastfeeding duration",
            "service satisfaction",
            "parental self-efficacy",
            "caregiver strain",
            "treatment engagement",
            "social support",
            "parent stress",
            "family empowerment",
        ],
        "design": [
            "a randomized controlled trial",
            "a systematic review",
            "a qualitative evaluation",
            "a cluster randomized trial",
            "a pilot study",
            "a mixed-methods study",
            "a pre-post evaluation",
            "a community-based evaluation",
        ],
        "experience": ["parenting", "peer support", "caregiving", "help-seeking", "peer mentoring"],
    },
    # Foster parents, professionals, volunteers without lived CP experience.
    "no-lived-experience": {
        "topic": [
            "Foster parent mentoring",
            "Foster carer support groups",
            "Mentoring birth parents by foster parents",
            "Shared parenting between foster and birth parents",
            "Foster parents as mentors",
            "Volunteer family mentors in child welfare",
            "Professional family support workers",
            "Foster carer peer support networks",
            "Resource parent co-parenting",
            "Icebreaker meetings between foster and birth parents",
            "Kinship carer support groups",
            "Volunteer befriending for families in child protection",
        ],
        "outcome": [
            "placement stability",
            "reunification",
            "foster carer retention",
            "birth parent engagement",
            "co-parenting relationships",
            "carer satisfaction",
            "child adjustment",
            "relationships with birth families",
        ],
        "design": [
            "a qualitative study",
            "an evaluation",
            "a pilot study",
            "a survey",
            "a mixed-methods study",
            "a case study",
        ],
        "experience": ["fostering", "co-parenting", "mentoring", "shared parenting"],
    },
    # Parent advocacy outside CP (schools, disability, health systems, housing).
    "outside-cp": {
        "topic": [
            "Parent advocacy in special education",
            "Parent advocates in school discipline",
            "Parent leadership in early childhood systems",
            "Parent organising for school reform",
            "Family advocacy in children's mental health systems",
            "Parent advocates for children with disabilities",
            "Parent engagement in Head Start policy councils",
            "Parent advocacy in juvenile justice",
            "Parent activism in disability rights",
            "Family navigators in health care",
            "Parent advocates in housing courts",
            "Parent partnership in paediatric hospitals",
        ],
        "outcome": [
            "school engagement",
            "policy change",
            "service access",
            "parent empowerment",
            "family-professional partnership",
            "educational outcomes",
            "advocacy skills",
        ],
        "design": [
            "a qualitative study",
            "a case study",
            "a participatory action study",
            "a survey",
            "an evaluation",
            "a mixed-methods study",
        ],
        "experience": ["advocacy", "organising", "parent leadership", "navigating services"],
    },
    # Conceptual, theoretical, commentary.
    "not-empirical": {
        "topic": [
            "Rethinking parent participation",
            "Towards relational child protection",
            "Lived experience in social work education",
            "The ethics of parent involvement",
            "Participation and power in child protection",
            "Strengths-based practice revisited",
            "Procedural justice in child welfare",
            "A rights-based approach to family support",
            "Service user involvement",
            "Co-production in children's services",
            "Family inclusion",
            "Poverty-aware social work",
            "Respect in child protection practice",
            "Shame and stigma in child welfare",
            "Partnership with parents",
        ],
        "outcome": [
            "practice",
            "policy",
            "research",
            "social work education",
            "family inclusion",
            "the profession",
            "system reform",
        ],
        "design": [
            "a commentary",
            "a conceptual framework",
            "a critical review",
            "an editorial",
            "a theoretical analysis",
            "a discussion paper",
            "reflections from practice",
        ],
        "experience": ["participation", "partnership", "co-production", "involvement"],
    },
}

# Full-text-stage topics: look relevant on title/abstract, excluded on reading.
FT_EXCLUDED_TOPICS: dict[str, list[str]] = {
    "no-lived-experience": [
        "Foster parents mentoring birth parents toward reunification",
        "Volunteer parent aides for families in child protection",
        "Paraprofessional family support in child welfare",
        "Resource families as mentors to birth parents",
        "Trained volunteer mentors for mothers involved with child protective services",
        "Community volunteers supporting parents after child removal",
    ],
    "outside-cp": [
        "Parent peer advocates in special education disputes",
        "Family peer advocates in children's mental health clinics",
        "Parent leaders in early childhood system reform",
        "Peer parent navigators in paediatric primary care",
        "Parent advocacy networks in school discipline reform",
    ],
    "not-empirical": [
        "Parent partners in child welfare: a practice framework",
        "The case for parent peer advocacy in family court",
        "Lived experience and the future of child welfare practice",
        "Building parent partner programmes: lessons for administrators",
        "Peer mentoring in child protection: a conceptual model",
        "Parent advocates as agents of system change: a commentary",
    ],
    "not-cp-involved": [
        "Peer recovery coaches for mothers in substance use treatment",
        "Peer support for parents in family homelessness services",
        "Mentor mothers in community health settings",
        "Peer-led parenting groups in community family centres",
    ],
    "wrong-population": [
        "Youth peer advocates in foster care",
        "Peer mentoring for young people leaving care",
        "Peer support for kinship grandparents",
    ],
    "not-programme": [
        "Parents' views of child protection services",
        "Birth parents' experiences of case planning",
        "Engagement of fathers in child welfare services",
    ],
    "outside-dates": [
        "Parent partner programmes in child welfare",
        "Peer mentors for parents in dependency court",
    ],
    "not-english": [
        "Peer support for parents in child protection",
        "Parent advocates in youth welfare services",
    ],
}

FT_DESIGNS = [
    "a qualitative study",
    "a programme evaluation",
    "an exploratory study",
    "a pilot study",
    "a mixed-methods evaluation",
    "a descriptive study",
    "a case study",
    "findings from a survey",
]

# Non-English journals for not-english records (WoS gives an English title and LA).
NON_ENGLISH = [
    ("Spanish", "Revista de Trabajo Social", "REV TRAB SOC", "Rev. Trab. Soc."),
    ("German", "Zeitschrift für Sozialpädagogik", "Z SOZIALPADAGOGIK", "Z. Sozialpädag."),
    ("French", "Revue Française de Service Social", "REV FR SERV SOC", "Rev. Fr. Serv. Soc."),
    (
        "Portuguese",
        "Revista Brasileira de Serviço Social",
        "REV BRAS SERV SOC",
        "Rev. Bras. Serv. Soc.",
    ),
    ("Swedish", "Socionomen", "SOCIONOMEN", "Socionomen"),
    ("Hebrew", "Society and Welfare", "SOC WELFARE-HEB", "Soc. Welf."),
]

ABSTRACT_OPENERS = [
    "Little is known about {topic_l} and its relation to {outcome}.",
    "{topic} has received growing attention in child welfare research and practice.",
    "Although {topic_l} is widely discussed, empirical evidence about {outcome} remains limited.",
    "Child protection systems increasingly recognise the importance of {topic_l}.",
    "Research on {topic_l} has rarely examined {outcome} among {population}.",
    "Policy makers and practitioners have called for better evidence on {topic_l}.",
]
ABSTRACT_AIMS = [
    "This study examined {topic_l} and {outcome} among {population} in {place}.",
    "The present study investigated how {topic_l} relates to {outcome} for {population}.",
    "We explored {topic_l} among {population} in {place}.",
    "This article reports {design} of {topic_l} among {population}.",
    "Using {design}, we assessed the association between {topic_l} and {outcome}.",
]
ABSTRACT_METHODS = [
    "Data were drawn from {n} {unit} in {place}.",
    "The sample comprised {n} {unit}, followed for {years} years.",
    "Semi-structured interviews were conducted with {n} {unit} and analysed thematically.",
    "Administrative records for {n} {unit} were linked across systems.",
    "Participants ({n} {unit}) completed standardised measures at baseline and follow-up.",
    "A survey was completed by {n} {unit}; multivariate models adjusted for case characteristics.",
]
ABSTRACT_RESULTS = [
    "Results indicated that {topic_l} was associated with {outcome}.",
    "Findings suggest modest but significant differences in {outcome} across groups.",
    "Three themes emerged: trust, communication and the weight of past experiences.",
    "Participants described both benefits and tensions related to {topic_l}.",
    "Effects on {outcome} were strongest for families with prior reports.",
    "No significant differences in {outcome} were found after adjustment.",
]
ABSTRACT_CLOSERS = [
    "Implications for child welfare policy and practice are discussed.",
    "We discuss implications for practice, training and future research.",
    "The findings support further investment in family-centred services.",
    "Directions for research and practice are outlined.",
    "Limitations and implications for social work practice are considered.",
]
UNITS = [
    "families",
    "parents",
    "mothers",
    "caregivers",
    "caseworkers",
    "children",
    "cases",
    "households",
    "practitioners",
    "young people",
]

# Extra keywords per record (EBSCO KW / WoS DE), mixed with slot words.
KEYWORDS = [
    "child welfare",
    "child protection",
    "foster care",
    "neglect",
    "child maltreatment",
    "family support",
    "parenting",
    "social work",
    "reunification",
    "permanency",
    "qualitative research",
    "program evaluation",
    "peer support",
    "mentoring",
    "advocacy",
    "kinship care",
    "substance use",
    "domestic violence",
    "poverty",
    "out-of-home care",
    "family court",
    "engagement",
    "trauma",
    "mental health",
    "service use",
]

# Grey literature: report / web page producers.
GREY_ORGS = [
    "Child Welfare Information Gateway",
    "Casey Family Programs",
    "Chapin Hall at the University of Chicago",
    "Annie E. Casey Foundation",
    "Center for the Study of Social Policy",
    "National Council of Juvenile and Family Court Judges",
    "Children's Bureau",
    "Family Rights Group",
    "Birth Parent National Network",
    "Child Welfare League of America",
    "American Bar Association Center on Children and the Law",
    "Rise Magazine",
    "Capacity Building Center for States",
    "Westat",
    "Urban Institute",
    "Mathematica Policy Research",
    "Family Justice Initiative",
    "Parents Anonymous Inc.",
    "Children's Commissioner for England",
    "Nuffield Family Justice Observatory",
]
GREY_TITLES = [
    "{topic}: a guide for child welfare agencies",
    "{topic} in practice: an issue brief",
    "{topic}: state and local examples",
    "{topic} — a bulletin for professionals",
    "Evaluation of {topic_l} in {place}: final report",
    "{topic}: findings from {place}",
    "{topic}: what the evidence says",
    "Annual report on {topic_l}",
]
