"""Fixed reference data of the fictional retailer: countries, currencies, catalogue, web clients.

Everything here is a constant: changing a value changes the generated lake (but never its schema).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Final

# --------------------------------------------------------------------------------------------
# Range and volumes
# --------------------------------------------------------------------------------------------
MIN_DAY: Final = dt.date(2023, 1, 1)
"""First day the FX and target seeds cover."""
MAX_DAY: Final = dt.date(2027, 12, 31)
"""Last day the FX and target seeds cover."""

LINES_PER_YEAR_AT_SCALE_1: Final = 1_000_000
"""Order lines per 365 days at scale 1 (the seasonal profile averages to 1 over a year)."""
LINES_PER_ORDER_PMF: Final = (0.45, 0.25, 0.13, 0.08, 0.04, 0.025, 0.015, 0.01)
"""P(order has k lines) for k = 1, 2, …"""
MEAN_LINES_PER_ORDER: Final = sum((k + 1) * p for k, p in enumerate(LINES_PER_ORDER_PMF))

DAY_NOISE_SIGMA: Final = 0.08
"""Day-to-day variation of activity (log-normal sigma), the same at every scale."""

BASE_CUSTOMERS_AT_SCALE_1: Final = 60_000
"""Customers who signed up before the first day (the CRM's initial export)."""
BASE_CUSTOMER_HISTORY_DAYS: Final = 3 * 365
NEW_CUSTOMER_ORDER_SHARE: Final = 0.22
"""Share of orders placed by a customer who signed up the same day."""
FIRST_ORDER_PROBABILITY: Final = 0.6
"""Probability that a new customer orders on the day of sign-up."""
LOYAL_CUSTOMER_SHARE: Final = 0.35
"""Customers who never churn; the others stay active for an exponential lifetime."""
MEAN_CUSTOMER_LIFETIME_DAYS: Final = 420.0
CUSTOMER_UPDATES_PER_YEAR: Final = 0.12
"""Expected profile changes (address, phone or segment) per customer per year."""

PRODUCTS_BASE: Final = 200
PRODUCTS_PER_SCALE: Final = 800
PRODUCTS_MAX: Final = 20_000
PRICE_CHANGES_PER_YEAR: Final = 0.3
"""Expected list-price changes per product per year."""
PRODUCT_ZIPF_EXPONENT: Final = 1.0
PRODUCT_ZIPF_OFFSET: Final = 5.0
"""Product popularity ∝ (rank + offset) ** -exponent (Zipf-Mandelbrot)."""

PAGE_VIEWS_PER_ORDER_LINE: Final = 3.0
REVIEWS_PER_ORDER_LINE: Final = 0.05
LABEL_V2_AFTER_DAYS: Final = 273
"""Day index (from the lake's first day) from which the labelling job is `sentiment-v2`."""

BAD_RECORD_RATE: Final = 0.005
"""Expected share of bad (and of type-drifted) records per table."""
FUTURE_YEAR: Final = 2099
"""Year used for timestamps "in the future"."""

CANCEL_RATE: Final = 0.03
RETURN_RATE: Final = 0.025
PARTIAL_REFUND_RATE: Final = 0.015
LATE_RATE: Final = 0.03
"""Share of order updates, payment and shipment events that arrive in a later partition."""
LATE_LAG_PMF: Final = (0.7, 0.2, 0.1)
"""P(late event arrives k days late) for k = 1, 2, 3."""

# --------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------
CURRENCIES: Final = (
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "BRL", "INR", "CNY", "CHF", "SEK", "MXN", "ZAR",
    "SGD", "KRW",
)  # fmt: skip
"""Currencies the shop sells in (the doc's list, in its order)."""

USD_RATES: Final[dict[str, float]] = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 150.0, "CAD": 1.36, "AUD": 1.52, "BRL": 5.1,
    "INR": 83.0, "CNY": 7.2, "CHF": 0.88, "SEK": 10.5, "MXN": 17.5, "ZAR": 18.5, "SGD": 1.34,
    "KRW": 1330.0,
}  # fmt: skip
"""Fixed, approximate units of each currency per US dollar (converts catalogue prices)."""

ZERO_DECIMAL_CURRENCIES: Final = frozenset({"JPY", "KRW"})
"""Currencies whose prices are whole units."""

CHANNELS: Final = ("web", "mobile_app", "marketplace", "call_centre")
CHANNEL_WEIGHTS: Final = (0.45, 0.35, 0.15, 0.05)
STATUSES: Final = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
PAYMENT_METHODS: Final = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_METHOD_WEIGHTS: Final = (0.6, 0.25, 0.07, 0.08)
PAYMENT_EVENTS: Final = ("authorised", "captured", "refunded")
SEGMENTS: Final = ("consumer", "small_business", "corporate")
SEGMENT_WEIGHTS: Final = (0.85, 0.1, 0.05)
SEGMENT_ORDER_MULTIPLIER: Final = (1.0, 2.5, 4.0)
EMAIL_DOMAINS: Final = ("example.com", "example.org", "example.net")

# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """A shipping country with what the generator needs to invent addresses and traffic."""

    code: str
    currency: str
    weight: float
    utc_offset: int
    dial: str
    phone: str
    postal: str
    names: str
    cities: tuple[str, ...]
    streets: tuple[str, ...]
    number_first: bool
    edge: str
    warehouses: tuple[str, ...]
    carriers: tuple[str, ...]


_INTL: Final = ("DHL", "UPS", "FedEx")

COUNTRIES: Final[tuple[Country, ...]] = (
    Country("US", "USD", 0.26, -5, "1", "### ### ####", "#####", "en",
            ("New York", "Chicago", "Austin", "Seattle", "Denver"),
            ("Main St", "Oak Ave", "Maple Dr", "Park Blvd"), True, "IAD89-C1",
            ("US-EWR1", "US-LAX1"), ("USPS", "UPS", "FedEx")),
    Country("CA", "CAD", 0.05, -5, "1", "### ### ####", "A#A #A#", "en",
            ("Toronto", "Montréal", "Vancouver", "Calgary"),
            ("King St W", "Rue Sainte-Catherine", "Granville St"), True, "YUL62-C1",
            ("CA-YYZ1",), _INTL),
    Country("MX", "MXN", 0.025, -6, "52", "## #### ####", "#####", "es",
            ("Ciudad de México", "Guadalajara", "Monterrey"),
            ("Avenida Reforma", "Calle Madero", "Avenida Juárez"), False, "QRO51-C1",
            ("US-LAX1",), _INTL),
    Country("BR", "BRL", 0.03, -3, "55", "## ##### ####", "#####-###", "pt",
            ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"),
            ("Avenida Paulista", "Rua Oscar Freire", "Rua das Flores"), False, "GRU3-C1",
            ("BR-GRU1",), _INTL),
    Country("GB", "GBP", 0.09, 0, "44", "#### ######", "AA# #AA", "en",
            ("London", "Manchester", "Edinburgh", "Bristol", "Leeds"),
            ("High Street", "Station Road", "Church Lane", "Victoria Road"), True, "LHR61-C2",
            ("GB-LHR1",), ("Royal Mail", "DHL", "UPS")),
    Country("DE", "EUR", 0.08, 1, "49", "### #######", "#####", "de",
            ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"),
            ("Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Gartenweg"), False, "FRA56-C1",
            ("EU-FRA1",), _INTL),
    Country("FR", "EUR", 0.06, 1, "33", "# ## ## ## ##", "#####", "fr",
            ("Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux"),
            ("Rue de la Paix", "Avenue Victor Hugo", "Boulevard Voltaire"), True, "CDG50-C1",
            ("EU-FRA1",), ("La Poste", "DHL", "UPS")),
    Country("ES", "EUR", 0.035, 1, "34", "### ### ###", "#####", "es",
            ("Madrid", "Barcelona", "Valencia", "Sevilla"),
            ("Calle Mayor", "Gran Vía", "Paseo de Gracia"), False, "MAD53-C1",
            ("EU-AMS1",), _INTL),
    Country("IT", "EUR", 0.035, 1, "39", "### ### ####", "#####", "it",
            ("Roma", "Milano", "Napoli", "Torino", "Firenze"),
            ("Via Roma", "Corso Vittorio Emanuele", "Via Garibaldi"), False, "MXP64-C1",
            ("EU-FRA1",), _INTL),
    Country("NL", "EUR", 0.03, 1, "31", "# ########", "#### AA", "nl",
            ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag"),
            ("Kalverstraat", "Herengracht", "Dorpsstraat"), False, "AMS54-C1",
            ("EU-AMS1",), _INTL),
    Country("PT", "EUR", 0.012, 0, "351", "### ### ###", "####-###", "pt",
            ("Lisboa", "Porto", "Braga", "Coimbra"),
            ("Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina"), True, "LIS50-C1",
            ("EU-AMS1",), _INTL),
    Country("SE", "SEK", 0.015, 1, "46", "## ### ## ##", "### ##", "sv",
            ("Stockholm", "Göteborg", "Malmö", "Uppsala"),
            ("Drottninggatan", "Storgatan", "Kungsgatan"), False, "ARN54-C1",
            ("EU-AMS1",), _INTL),
    Country("CH", "CHF", 0.015, 1, "41", "## ### ## ##", "####", "de",
            ("Zürich", "Genève", "Basel", "Bern"),
            ("Bahnhofstrasse", "Rue du Rhône", "Marktgasse"), False, "ZRH55-C1",
            ("EU-FRA1",), _INTL),
    Country("PL", "USD", 0.018, 1, "48", "### ### ###", "##-###", "pl",
            ("Warszawa", "Kraków", "Wrocław", "Gdańsk"),
            ("ulica Marszałkowska", "ulica Floriańska", "ulica Długa"), False, "WAW51-C1",
            ("EU-FRA1",), _INTL),
    Country("IN", "INR", 0.04, 5, "91", "##### #####", "######", "in",
            ("Mumbai", "Bengaluru", "Delhi", "Chennai", "Pune"),
            ("MG Road", "Linking Road", "Park Street"), True, "BOM78-P1",
            ("IN-BOM1",), _INTL),
    Country("JP", "JPY", 0.05, 9, "81", "## #### ####", "###-####", "ja",
            ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo"),
            ("Ginza", "Shibuya", "Umeda", "Sakae"), False, "NRT57-P2",
            ("AP-NRT1",), _INTL),
    Country("CN", "CNY", 0.03, 8, "86", "### #### ####", "######", "zh",
            ("Shanghai", "Beijing", "Shenzhen", "Guangzhou"),
            ("Nanjing Road", "Wangfujing Street", "Huaihai Road"), True, "HKG62-C1",
            ("AP-SIN1",), _INTL),
    Country("KR", "KRW", 0.02, 9, "82", "## #### ####", "#####", "ko",
            ("Seoul", "Busan", "Incheon", "Daegu"),
            ("Gangnam-daero", "Teheran-ro", "Sejong-daero"), False, "ICN57-C1",
            ("AP-NRT1",), _INTL),
    Country("SG", "SGD", 0.012, 8, "65", "#### ####", "######", "zh",
            ("Singapore",), ("Orchard Road", "Tanjong Pagar Road", "Bukit Timah Road"), True,
            "SIN52-C1", ("AP-SIN1",), _INTL),
    Country("AU", "AUD", 0.04, 10, "61", "### ### ###", "####", "en",
            ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"),
            ("George St", "Collins St", "Queen St"), True, "SYD1-C1",
            ("AP-SYD1",), _INTL),
    Country("ZA", "ZAR", 0.01, 2, "27", "## ### ####", "####", "af",
            ("Johannesburg", "Cape Town", "Durban", "Pretoria"),
            ("Long Street", "Jan Smuts Avenue", "Church Street"), True, "JNB50-C1",
            ("ZA-JNB1",), _INTL),
    Country("NG", "USD", 0.008, 1, "234", "### ### ####", "######", "af",
            ("Lagos", "Abuja", "Ibadan"), ("Broad Street", "Awolowo Road", "Ahmadu Bello Way"),
            True, "LOS50-C1", ("ZA-JNB1",), _INTL),
)  # fmt: skip
"""Shipping countries, across every UN region; currency follows the country (USD if not sold)."""

UNKNOWN_COUNTRY: Final = "XX"
UNKNOWN_CURRENCY: Final = "XXX"

WAREHOUSE_COUNTRY: Final[dict[str, str]] = {
    "US-EWR1": "US", "US-LAX1": "US", "CA-YYZ1": "CA", "BR-GRU1": "BR", "GB-LHR1": "GB",
    "EU-FRA1": "DE", "EU-AMS1": "NL", "IN-BOM1": "IN", "AP-NRT1": "JP", "AP-SIN1": "SG",
    "AP-SYD1": "AU", "ZA-JNB1": "ZA",
}  # fmt: skip
"""Country each warehouse ships from (a shipment to that country is domestic)."""

LOCAL_HOUR_PROFILE: Final = (
    0.6, 0.4, 0.3, 0.25, 0.25, 0.3, 0.5, 0.8, 1.0, 1.1, 1.2, 1.25,
    1.3, 1.25, 1.2, 1.2, 1.25, 1.3, 1.4, 1.6, 1.7, 1.6, 1.3, 0.9,
)  # fmt: skip
"""Relative activity per local hour of day (shifted to UTC per country)."""

MONTH_FACTORS: Final = (0.85, 0.8, 0.9, 0.9, 0.95, 0.92, 0.9, 0.93, 0.97, 1.0, 1.35, 1.45)
WEEKDAY_FACTORS: Final = (1.05, 1.0, 1.0, 1.02, 0.95, 0.9, 1.08)
"""Monday … Sunday."""

# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------
NAME_POOLS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": (("James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
            "David", "Emily", "Daniel", "Sarah", "Oliver", "Amelia", "Jack", "Olivia"),
           ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
            "Taylor", "Clark", "Walker", "Wright", "Evans", "Thomas")),
    "es": (("José", "María", "Carlos", "Lucía", "Javier", "Sofía", "Miguel", "Valentina",
            "Alejandro", "Camila", "Diego", "Isabella"),
           ("García", "Martínez", "López", "Hernández", "González", "Rodríguez", "Pérez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Romero")),
    "pt": (("João", "Ana", "Pedro", "Mariana", "Tiago", "Beatriz", "Rafael", "Inês", "Lucas",
            "Gabriela"),
           ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Almeida",
            "Carvalho", "Rodrigues")),
    "de": (("Lukas", "Anna", "Leon", "Lena", "Felix", "Hannah", "Jonas", "Marie", "Paul",
            "Sophie", "Maximilian", "Laura"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Hoffmann", "Schulz")),
    "fr": (("Louis", "Camille", "Gabriel", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Arthur",
            "Inès"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau")),
    "it": (("Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Alessandro", "Sara",
            "Lorenzo", "Martina"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco")),
    "nl": (("Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Milan", "Sophie", "Levi", "Zoë"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit",
            "Meijer", "de Boer", "Mulder")),
    "sv": (("Erik", "Elsa", "Lars", "Maja", "Oscar", "Astrid", "Nils", "Ebba", "Karl",
            "Ingrid"),
           ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
            "Persson")),
    "pl": (("Jakub", "Zuzanna", "Kacper", "Julia", "Szymon", "Maja", "Jan", "Hanna", "Antoni",
            "Zofia"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
            "Zieliński")),
    "in": (("Aarav", "Priya", "Vihaan", "Ananya", "Arjun", "Diya", "Rohan", "Kavya", "Ishaan",
            "Meera"),
           ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Mehta",
            "Das")),
    "ja": (("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Sakura", "Ren", "Mei"),
           ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
            "Kobayashi", "Kato")),
    "zh": (("Wei", "Fang", "Hao", "Jing", "Lei", "Min", "Jun", "Xiu", "Yang", "Li"),
           ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou")),
    "ko": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo", "Seo-jun", "Su-ah"),
           ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon")),
    "af": (("Thabo", "Naledi", "Sipho", "Zanele", "Chinedu", "Ngozi", "Oluwaseun", "Amara",
            "Kwame", "Ayanda"),
           ("Nkosi", "Dlamini", "Mokoena", "Okafor", "Adeyemi", "Eze", "Botha", "van der Merwe",
            "Naidoo", "Okonkwo")),
}  # fmt: skip
"""First and last names per name pool (a country names its pool)."""


@cache
def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name for e-mail addresses (`van den Berg` → `vandenberg`)."""
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in folded.encode("ascii", "ignore").decode().lower() if c.isalnum())


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A level-3 category with the noun its products are named after and a USD price range."""

    level_1: str
    level_2: str
    level_3: str
    noun: str
    price_low: float
    price_high: float


CATEGORIES: Final[tuple[Category, ...]] = (
    Category("Sports", "Footwear", "Running Shoes", "Running Shoe", 50, 180),
    Category("Sports", "Footwear", "Hiking Boots", "Hiking Boot", 80, 250),
    Category("Sports", "Fitness", "Yoga Mats", "Yoga Mat", 15, 80),
    Category("Sports", "Fitness", "Dumbbells", "Dumbbell Set", 20, 200),
    Category("Sports", "Cycling", "Bike Helmets", "Bike Helmet", 30, 150),
    Category("Electronics", "Audio", "Headphones", "Headphones", 20, 400),
    Category("Electronics", "Audio", "Speakers", "Bluetooth Speaker", 25, 300),
    Category("Electronics", "Computers", "Laptops", "Laptop", 400, 2500),
    Category("Electronics", "Computers", "Keyboards", "Keyboard", 20, 200),
    Category("Electronics", "Computers", "Monitors", "Monitor", 120, 900),
    Category("Electronics", "Phones", "Smartphones", "Smartphone", 150, 1400),
    Category("Electronics", "Phones", "Phone Cases", "Phone Case", 8, 50),
    Category("Home & Kitchen", "Cookware", "Frying Pans", "Frying Pan", 15, 150),
    Category("Home & Kitchen", "Cookware", "Knives", "Chef Knife", 20, 250),
    Category("Home & Kitchen", "Furniture", "Office Chairs", "Office Chair", 80, 700),
    Category("Home & Kitchen", "Furniture", "Desks", "Desk", 100, 900),
    Category("Home & Kitchen", "Decor", "Lamps", "Table Lamp", 20, 200),
    Category("Home & Kitchen", "Decor", "Cushions", "Cushion", 10, 60),
    Category("Fashion", "Women's Clothing", "Dresses", "Dress", 25, 250),
    Category("Fashion", "Men's Clothing", "Shirts", "Shirt", 20, 120),
    Category("Fashion", "Men's Clothing", "Jeans", "Jeans", 30, 150),
    Category("Fashion", "Accessories", "Watches", "Watch", 40, 600),
    Category("Fashion", "Accessories", "Backpacks", "Backpack", 25, 200),
    Category("Beauty", "Skincare", "Moisturisers", "Moisturiser", 8, 90),
    Category("Beauty", "Skincare", "Sunscreens", "Sunscreen", 6, 40),
    Category("Beauty", "Fragrance", "Perfumes", "Eau de Parfum", 30, 180),
    Category("Books", "Fiction", "Crime Novels", "Crime Novel", 8, 30),
    Category("Books", "Fiction", "Science Fiction", "Sci-Fi Novel", 8, 30),
    Category("Books", "Non-Fiction", "Cookbooks", "Cookbook", 12, 45),
    Category("Toys & Games", "Games", "Board Games", "Board Game", 15, 80),
    Category("Toys & Games", "Construction", "Building Sets", "Building Set", 10, 200),
    Category("Toys & Games", "Games", "Puzzles", "Jigsaw Puzzle", 10, 40),
    Category("Garden", "Tools", "Pruners", "Garden Shears", 10, 70),
    Category("Garden", "Outdoor Cooking", "Grills", "Charcoal Grill", 60, 600),
)
"""The three-level category tree with a price range per leaf."""

PRODUCT_ADJECTIVES: Final = (
    "Classic", "Pro", "Ultra", "Trail", "Everyday", "Premium", "Compact", "Eco", "Urban",
    "Deluxe", "Essential", "Lite", "Max", "Vintage", "Smart", "Nordic", "Studio", "Active",
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Web
# --------------------------------------------------------------------------------------------
SITE_HOST: Final = "shop.example.com"
CLOUDFRONT_HOST: Final = "d3f8k2l9example.cloudfront.net"
CLOUDFRONT_SHARE: Final = 0.7
"""Share of visitors served through CloudFront (part-0000.log); the rest hit Apache directly."""
BOT_SESSION_SHARE: Final = 0.04
RETURN_SESSION_SHARE: Final = 0.15
"""Share of human sessions followed, after more than 30 minutes, by another from the visitor."""
EXTERNAL_REFERERS: Final = (
    "-", "https://www.google.com/", "https://www.bing.com/", "https://www.facebook.com/",
    "https://www.instagram.com/", "https://duckduckgo.com/",
)  # fmt: skip
EXTERNAL_REFERER_WEIGHTS: Final = (0.35, 0.4, 0.07, 0.08, 0.06, 0.04)

USER_AGENTS: Final[tuple[tuple[str, str, float], ...]] = (
    ("desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36", 0.2),
    ("desktop", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/124.0.0.0 Safari/537.36", 0.09),
    ("desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 "
     "Firefox/125.0", 0.05),
    ("desktop", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 0.02),
    ("desktop", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
     "like Gecko) Version/17.4 Safari/605.1.15", 0.06),
    ("desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", 0.04),
    ("mobile", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 0.22),
    ("mobile", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.6367.82 Mobile Safari/537.36", 0.12),
    ("mobile", "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", 0.08),
    ("tablet", "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 0.08),
    ("tablet", "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.6367.82 Safari/537.36", 0.04),
)  # fmt: skip
"""Human clients: (device class, User-Agent, share of visitors)."""

BOT_USER_AGENTS: Final = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)

PAGE_TYPES: Final = ("home", "category", "product", "cart", "checkout", "order_confirmation")
PAGE_TRANSITIONS: Final = (
    # to: home, category, product, cart, checkout, order confirmation, exit
    (0.02, 0.55, 0.15, 0.01, 0.0, 0.0, 0.27),    # from home
    (0.05, 0.15, 0.55, 0.0, 0.0, 0.0, 0.25),     # from category
    (0.03, 0.12, 0.25, 0.18, 0.0, 0.0, 0.42),    # from product
    (0.02, 0.05, 0.15, 0.0, 0.45, 0.0, 0.33),    # from cart
    (0.0, 0.0, 0.0, 0.08, 0.0, 0.6, 0.32),       # from checkout: most pay, some go back
    (0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9),         # from the order confirmation
)  # fmt: skip
"""Markov chain of a human visit (rows: current page type; last column: leave the site)."""
ENTRY_PAGE_WEIGHTS: Final = (0.5, 0.2, 0.3, 0.0, 0.0, 0.0)
MAX_PAGES_PER_SESSION: Final = 20
MEAN_PAGES_PER_SESSION: Final = 3.6
"""Measured mean page views per session (bots and return visits included); sizes the traffic."""
PAGE_BYTES_MEDIAN: Final = (48_000, 36_000, 52_000, 21_000, 18_000, 16_000)

# --------------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------------
SENTIMENT_CLASSES: Final = ("negative", "neutral", "positive")
REVIEW_OPENERS: Final = (
    ("Very disappointed", "Poor quality", "Would not recommend", "Waste of money",
     "Not as described", "Terrible experience", "Stopped working", "Really annoyed"),
    ("It's okay", "Does the job", "Average quality", "Not bad", "As expected",
     "Decent for the price", "Mixed feelings", "Fine I guess"),
    ("Love it", "Excellent quality", "Exactly as described", "Great value for money",
     "Highly recommend", "Five stars", "Really happy with this", "Works perfectly",
     "Better than expected", "Fantastic purchase"),
)  # fmt: skip
REVIEW_DETAILS: Final = (
    ("broke after two weeks", "arrived damaged", "runs very small",
     "customer service never replied", "missing parts", "cheap materials", "returned it",
     "the colour faded after one wash"),
    ("nothing special", "delivery took a while", "a bit smaller than I thought",
     "instructions could be clearer", "colour slightly different from the photo",
     "fine for occasional use", "packaging was excessive"),
    ("fits perfectly", "arrived quickly", "my family loves it", "would buy again",
     "sturdy and well made", "looks even better in person", "battery lasts for days",
     "super comfortable", "easy to set up", "great gift"),
)  # fmt: skip
LABEL_ACCURACY: Final = 0.92
AUTO_LABEL_SHARE: Final = 0.65
