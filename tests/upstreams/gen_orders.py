#!/usr/bin/env python3
"""gen_orders.py -- realistic fake Sticky.io order exports (129-column CSV).

One file:

    gen_orders.py --out FILE --rows N --date YYYY-MM-DD [--seed S]
        [--kind create|update|prospect] [--gzip] [--first-order-id N]
        [--drift none|extra_column|missing_column|reordered|duplicate_header]
        [--bad-rows K] [--crlf|--lf]

A demo tree (what `make demo` and the benchmark upload to the local S3):

    gen_orders.py --demo DIR --days N --end YYYY-MM-DD --rows-per-file R
        [--seed S] [--first-order-id N]

writes DIR/orders-create/report_<date>T<HHMM>_<hex6>.csv and
DIR/orders-update/... (one file per day per prefix; DIR/prospects-create
stays empty, as in production) and prints {"files": F, "rows": R} on stdout.

The header is tests/data/orders-export-header.csv, byte for byte (CRLF).
Values follow the formats of the real exports (original-system.md 3.3):
MM/DD/YYYY order dates, "02:36 AM" times, money with two decimals,
YES/NO flags, quoting only where needed (about 20% of the rows: street
addresses with ", Apt N", a product name, a decline reason; a few notes
with a doubled quote or an embedded newline).  product_category is the
brand: CCW (concealed carry, ~85%) or EXP (expungement); affid and c1
follow the Everflow/Redtrack simulator's demo (affiliates 1-5, 11-15;
c1 = the Redtrack source id of internal affiliates).  Every person,
address, card and IP is invented.  What belongs to an order (customer,
product, affiliate...) is a function of its id, so the update rows of an
order agree with its create row.  Output is a pure function of the
arguments: the same seed gives the same bytes (gzip included).

--kind update: rows for existing orders (default ids first..first+N-1, as
a create file with the same --first-order-id and --rows): REFUNDED, VOID,
NEW, DECLINED, with refund/void/chargeback fields dated --date.
--kind prospect: contact and tracking fields only (orders_id 0,
prospects_id from --first-order-id).

--bad-rows K adds K malformed records (after the N good ones are placed,
at evenly spread positions), cycling through: a wrong number of fields, a
bare '"' inside an unquoted field, invalid UTF-8.  Their 1-based physical
line numbers (the header is line 1; a record with an embedded newline
spans two lines) go to stderr as {"bad_lines": [...]}.

Python 3 standard library only.  About 60k rows/s (650k rows in ~11 s).
"""

import argparse
import datetime as dt
import gzip
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER_FILE = os.path.join(HERE, "..", "data", "orders-export-header.csv")
NCOL = 129

# ---------------------------------------------------------------------------
# Fixed vocabularies (all invented)
# ---------------------------------------------------------------------------

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth "
    "William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen "
    "Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie "
    "Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda "
    "Stephen Emma Larry Anna Justin Pamela Scott Nicole Brandon Samantha "
    "Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel "
    "Frank Carolyn Patrick Janet Raymond Maria Jack Olivia Dennis Heather "
    "Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria "
    "Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth "
    "Kyle Joan Noah Virginia Ethan Judith Jeremy Evelyn Walter Hannah "
    "Christian Andrea Keith Megan Roger Cheryl Terry Jacqueline Austin Madison "
    "Sean Teresa Gerald Abigail Carl Sophia Harold Martha Dylan Sara "
    "José Zoë Renée André").split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson "
    "Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores "
    "Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts "
    "Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson "
    "Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez "
    "Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins "
    "Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher "
    "Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham "
    "Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson "
    "Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens "
    "Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas "
    "Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson "
    "Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt "
    "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar "
    "Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols "
    "Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer "
    "Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley "
    "Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley "
    "Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews "
    "Pena Richards Contreras Willis Carpenter Lawrence Sandoval O'Brien "
    "O'Connor D'Angelo Muñoz Peña Núñez").split()
STREETS = (
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Walnut Park Sunset "
    "Ridge Church Highland Jackson Lincoln Jefferson Franklin Madison "
    "Meadow Forest River Spring Willow Dogwood Magnolia Hickory Chestnut "
    "Birch Sycamore Prairie Valley Cherry Mill Center Adams Union Liberty "
    "Summit Laurel Lakeview Bayview Cypress Poplar Hawthorn Aspen Juniper "
    "Briarwood Fox Run Deer Creek Eagle Crest Heritage Colonial").split()
SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Pl", "Cir",
            "Trl", "Pkwy")
# city, state, first three ZIP digits, an area code of that region
CITIES = (
    ("Houston", "TX", "770", "713"), ("San Antonio", "TX", "782", "210"),
    ("Dallas", "TX", "752", "214"), ("Austin", "TX", "787", "512"),
    ("Fort Worth", "TX", "761", "817"), ("El Paso", "TX", "799", "915"),
    ("Lubbock", "TX", "794", "806"), ("Tyler", "TX", "757", "903"),
    ("Jacksonville", "FL", "322", "904"), ("Tampa", "FL", "336", "813"),
    ("Orlando", "FL", "328", "407"), ("Miami", "FL", "331", "305"),
    ("Pensacola", "FL", "325", "850"), ("Ocala", "FL", "344", "352"),
    ("Phoenix", "AZ", "850", "602"), ("Tucson", "AZ", "857", "520"),
    ("Mesa", "AZ", "852", "480"), ("Atlanta", "GA", "303", "404"),
    ("Savannah", "GA", "314", "912"), ("Macon", "GA", "312", "478"),
    ("Charlotte", "NC", "282", "704"), ("Raleigh", "NC", "276", "919"),
    ("Greensboro", "NC", "274", "336"), ("Columbia", "SC", "292", "803"),
    ("Greenville", "SC", "296", "864"), ("Nashville", "TN", "372", "615"),
    ("Memphis", "TN", "381", "901"), ("Knoxville", "TN", "379", "865"),
    ("Birmingham", "AL", "352", "205"), ("Huntsville", "AL", "358", "256"),
    ("Jackson", "MS", "392", "601"), ("Baton Rouge", "LA", "708", "225"),
    ("Shreveport", "LA", "711", "318"), ("Little Rock", "AR", "722", "501"),
    ("Oklahoma City", "OK", "731", "405"), ("Tulsa", "OK", "741", "918"),
    ("Wichita", "KS", "672", "316"), ("Kansas City", "MO", "641", "816"),
    ("Springfield", "MO", "658", "417"), ("St. Louis", "MO", "631", "314"),
    ("Columbus", "OH", "432", "614"), ("Cincinnati", "OH", "452", "513"),
    ("Toledo", "OH", "436", "419"), ("Indianapolis", "IN", "462", "317"),
    ("Fort Wayne", "IN", "468", "260"), ("Louisville", "KY", "402", "502"),
    ("Lexington", "KY", "405", "859"), ("Detroit", "MI", "482", "313"),
    ("Grand Rapids", "MI", "495", "616"), ("Milwaukee", "WI", "532", "414"),
    ("Green Bay", "WI", "543", "920"), ("Des Moines", "IA", "503", "515"),
    ("Omaha", "NE", "681", "402"), ("Sioux Falls", "SD", "571", "605"),
    ("Fargo", "ND", "581", "701"), ("Billings", "MT", "591", "406"),
    ("Boise", "ID", "837", "208"), ("Cheyenne", "WY", "820", "307"),
    ("Salt Lake City", "UT", "841", "801"), ("Albuquerque", "NM", "871", "505"),
    ("Las Vegas", "NV", "891", "702"), ("Reno", "NV", "895", "775"),
    ("Denver", "CO", "802", "303"), ("Colorado Springs", "CO", "809", "719"),
    ("Pittsburgh", "PA", "152", "412"), ("Harrisburg", "PA", "171", "717"),
    ("Richmond", "VA", "232", "804"), ("Roanoke", "VA", "240", "540"),
    ("Charleston", "WV", "253", "304"), ("Anchorage", "AK", "995", "907"),
    ("Portland", "ME", "041", "207"), ("Manchester", "NH", "031", "603"),
    ("Burlington", "VT", "054", "802"), ("Wilmington", "DE", "198", "302"),
)
EMAIL_DOMAINS = ("gmail.com",) * 10 + ("yahoo.com",) * 4 + (
    "hotmail.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com",
    "comcast.net", "att.net", "msn.com")
CARD_BINS = ("414720", "426684", "440066", "473702", "485246", "517805",
             "522182", "542418", "546616", "601100", "379763", "434256")
COUNTRY = "United States of America"

DECLINE_REASONS = (
    "Insufficient funds",) * 6 + ("Do Not Honor",) * 4 + (
    "Card declined", "Card declined", "Transaction not allowed",
    "Pick up card", "Expired card", "Invalid card number",
    "Activity limit exceeded", "Prepaid card not accepted",
    "CVV2 mismatch", "Issuer declined, call issuer")
CASCADE_REASONS = ("Declined on primary gateway", "Soft decline - cascaded",
                   "Gateway timeout - cascaded")
NOTES_PLAIN = (
    "Customer called to confirm enrollment",
    "Requested receipt by email",
    "Verified address with customer",
    "Customer asked about state reciprocity",
)
NOTES_QUOTED = (
    'Customer said "call after 5pm"',
    'Asked for the "fast track" option',
    'Prefers "Bob", not Robert',
)
NOTES_NEWLINE = (
    "Called twice about login\nReset password for customer",
    "Refund requested by phone\nApproved by supervisor",
)

# Brands (Everflow advertisers): 1 CCW = concealed carry, 2 EXP = expungement.
# product: (id, name, sku, price, shippable, description, recurring)
PRODUCTS = {
    "CCW": (
        ("1042", "CCW Online Course - Full Access", "CCW-COURSE-FULL",
         "95.00", False, "Online concealed carry course with certificate", False),
        ("1043", "CCW Permit Application Kit", "CCW-APP-KIT", "35.00", True,
         "Printed forms with fingerprint card and instructions", False),
        ("1051", "Reciprocity Map, Laminated", "CCW-MAP-LAM", "19.00", True,
         "", False),
        ("1060", "CCW Renewal Course", "CCW-RENEW", "55.00", False, "", False),
        ("1075", "Range Day Certificate", "CCW-RANGE-CERT", "29.00", False,
         "Includes the safe storage video module", False),
        ("1080", "Concealed Carry Legal Protection - Monthly", "CCW-LEGAL-MO",
         "29.95", False, "Monthly membership", True),
    ),
    "EXP": (
        ("2010", "Record Expungement - Eligibility Review", "EXP-ELIG",
         "49.00", False, "Attorney review of eligibility", False),
        ("2011", "Expungement Petition Filing Service", "EXP-PETITION",
         "295.00", False, "", False),
        ("2015", "Criminal Record Sealing, Express", "EXP-SEAL-EXP",
         "149.00", False, "", False),
        ("2020", "Expungement Monitoring - Monthly", "EXP-MONITOR-MO",
         "19.95", False, "Monthly status updates", True),
    ),
}
PRODUCT_WEIGHTS = {"CCW": (52, 14, 5, 11, 8, 10), "EXP": (45, 22, 13, 20)}
BRAND_CCW_PERCENT = 85

# (gateway id, alias, descriptor, customer service number, processor id)
GATEWAYS = {
    "CCW": (("311", "NMI-CCW-Primary-01", "CCWSAFETY*COURSE", "888-555-0142", "3"),
            ("312", "NMI-CCW-Backup-02", "CCWSAFETY*COURSE", "888-555-0142", "3"),
            ("327", "Authnet-CCW-07", "CCW SAFETY TRAINING", "(877) 555-0199", "12")),
    "EXP": (("405", "NMI-EXP-Main-01", "CLEANSLATE*LEGAL", "866-555-0123", "3"),
            ("406", "PayPro-EXP-03", "CLEAN SLATE LEGAL", "(866) 555-0177", "7")),
}
CAMPAIGNS = {"CCW": ("112", "118", "124", "131", "136"), "EXP": ("207", "215")}

# Everflow affiliate mix per brand (as the Everflow/Redtrack simulator's
# demo data) and, for affiliates with Redtrack spend, the Redtrack source
# ids that show up in c1.
AFFILIATE_MIX = {
    "CCW": ((1, 34), (2, 15), (3, 11), (4, 6), (5, 6), (11, 9), (12, 7),
            (13, 5), (14, 4), (15, 3)),
    "EXP": ((1, 60), (12, 25), (15, 15)),
}
RT_SOURCES = {
    ("CCW", 1): ("66c79f91be26fd4634569658", "628fd466f765760001f37209"),
    ("CCW", 2): ("62b29551c6880d00014d8c73", "677c764c35168400c81bf749",
                 "678eaa16ca6db9b0860d79a8", "682b7a019c1661a163355975",
                 "6793c67b2d6085c55930df20"),
    ("CCW", 3): ("6807d9120ee9ffc623c1d7e5", "68b87e99882b48e6620a3116"),
    ("CCW", 4): ("6883b1f8b5c72b423a7543a8", "68431fb5900bfbd41432a4ea"),
    ("CCW", 5): ("68a3991afcfc495698310fee",),
    ("EXP", 1): ("67c097f0aee15ff71f3f99aa",),
}

CREATED_BY = ("", "", "", "", "", "", "", "", "System Automation", "Upsell API")


def quote(s):
    """CSV field with quotes only where needed (as the real exports)."""
    if "," in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def mix(x):
    """32-bit integer hash (deterministic, unlike hash())."""
    x = (x ^ (x >> 16)) * 0x45D9F3B & 0xFFFFFFFF
    x = (x ^ (x >> 16)) * 0x45D9F3B & 0xFFFFFFFF
    return x ^ (x >> 16)


def weighted_table(pairs, size=100):
    """A list of @size entries to index with a uniform number."""
    total = sum(w for _, w in pairs)
    out = []
    for value, w in pairs:
        out.extend([value] * round(w * size / total))
    while len(out) < size:
        out.append(pairs[0][0])
    return tuple(out[:size])


def us_date(d):
    return "%02d/%02d/%04d" % (d.month, d.day, d.year)


TIMES = tuple("%02d:%02d %s" % ((m // 60) % 12 or 12, m % 60,
                                "AM" if m < 720 else "PM")
              for m in range(1440))


# ---------------------------------------------------------------------------
# People: a pool built once per seed; an order's customer is chosen by a
# hash of its id, so create and update rows of one order agree.
# ---------------------------------------------------------------------------

POOL_SIZE = 8192


def build_people(seed):
    rng = random.Random("people-%d" % seed)
    people = []
    for _ in range(POOL_SIZE):
        fn = rng.choice(FIRST_NAMES)
        ln = rng.choice(LAST_NAMES)
        city, state, zip3, area = rng.choice(CITIES)
        street = "%d %s %s" % (rng.randint(10, 19999), rng.choice(STREETS),
                               rng.choice(SUFFIXES))
        suburb = ""
        r = rng.random()
        if r < 0.10:
            street += ", Apt %d" % rng.randint(1, 420)
        elif r < 0.16:
            suburb = rng.choice(("Apt %d", "Unit %d", "Suite %d")) % \
                rng.randint(1, 300)
        postcode = zip3 + "%02d" % rng.randint(1, 99)
        if rng.random() < 0.15:
            postcode += "-%04d" % rng.randint(1, 9999)
        phone = "%s%d%06d" % (area, rng.randint(2, 9), rng.randint(0, 999999))
        if rng.random() < 0.08:
            phone = "1" + phone
        local = rng.choice(("%s.%s", "%s%s", "%s_%s", "%.1s%s")) % (
            fn.lower(), ln.lower().replace("'", ""))
        if rng.random() < 0.6:
            local += str(rng.randint(1, 99))
        email = "%s@%s" % (local, rng.choice(EMAIL_DOMAINS))
        billing = (quote(fn), quote(ln), quote(street), suburb, city, state,
                   postcode, COUNTRY, phone, email)
        if rng.random() < 0.05:
            # ships somewhere else: another address, same person
            city2, state2, zip32, _ = rng.choice(CITIES)
            street2 = "%d %s %s" % (rng.randint(10, 19999),
                                    rng.choice(STREETS), rng.choice(SUFFIXES))
            delivery = (billing[0], billing[1], street2, "", city2, state2,
                        zip32 + "%02d" % rng.randint(1, 99), COUNTRY, phone,
                        email)
        else:
            delivery = billing
        card = "%s******%04d" % (rng.choice(CARD_BINS), rng.randint(0, 9999))
        expires = "%02d%02d" % (rng.randint(1, 12), rng.randint(26, 31))
        if rng.random() < 0.9:
            ip = "%d.%d.%d.%d" % (rng.choice((24, 47, 68, 71, 73, 98, 99, 104,
                                              107, 108, 172, 174, 184)),
                                  rng.randint(0, 255), rng.randint(0, 255),
                                  rng.randint(1, 254))
        else:
            ip = "2600:%x:%x:%x::%x" % (rng.randint(0x1000, 0xffff),
                                         rng.randint(0, 0xffff),
                                         rng.randint(0, 0xffff),
                                         rng.randint(1, 0xffff))
        customer = str(rng.randint(10000, 999999))
        people.append((billing + delivery, card, expires, ip, customer))
    return people


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

COMBOS = 4096  # distinct (brand, product, affiliate, source, gateway, campaign)


class Generator:
    """Builds data rows as lists of 129 CSV-ready (already quoted) fields.

    Speed matters (the benchmark wants 650k rows in seconds): everything
    that depends only on the order -- customer, brand, product, affiliate,
    gateway, campaign -- comes from tables built once and is picked by a
    hash of the order id (so create and update rows of one order agree);
    a row costs one 64-bit random number and a template copy plus the
    fields that really vary."""

    def __init__(self, seed):
        self.seed = seed
        self.seed_mix = seed * 0x9E3779B1 & 0xFFFFFFFF
        self.rng = random.Random(seed)
        self.people = build_people(seed)
        self.dates = {}
        base = [""] * NCOL
        for i, v in ((26, "0"), (27, "0"), (28, "NO"), (29, "NO"),
                     (31, "0"), (32, "0"), (33, "0"), (41, "0"),
                     (46, "0.00"), (59, "NO"), (61, "NO"), (64, "NO"),
                     (65, "NA"), (66, "NA"), (69, "NO"), (73, "N/A"),
                     (77, "YES"), (78, "Initial"), (79, "N/A"), (80, "NO"),
                     (84, "NO"), (85, "0.00"), (97, "0"), (108, "1"),
                     (109, "0"), (117, "NO"), (118, "0"), (120, "No"),
                     (125, "0"), (127, "0")):
            base[i] = v
        self.combos = self._combos(base)

    def _combos(self, base):
        rng = random.Random("combos-%d" % self.seed)
        products = {b: weighted_table(list(zip(PRODUCTS[b], PRODUCT_WEIGHTS[b])))
                    for b in PRODUCTS}
        affiliates = {b: weighted_table(AFFILIATE_MIX[b]) for b in PRODUCTS}
        combos = []
        for _ in range(COMBOS):
            brand = "CCW" if rng.randrange(100) < BRAND_CCW_PERCENT else "EXP"
            pid, name, sku, price, shippable, desc, recurring = \
                rng.choice(products[brand])
            aff = rng.choice(affiliates[brand])
            gw = rng.choice(GATEWAYS[brand])
            sources = RT_SOURCES.get((brand, aff))
            if sources:
                c1 = rng.choice(sources)
            elif rng.random() < 0.25:
                c1 = "%024x" % rng.getrandbits(96)
            else:
                c1 = ""
            t = base[:]
            t[22:26] = (("Free Shipping", "Free Shipping", "First Class Mail",
                         "FIRST") if shippable else ("NA", "", "", ""))
            t[30] = t[34] = price
            t[38] = rng.choice(CAMPAIGNS[brand])
            t[44], t[45], t[50], t[51], t[128] = gw
            t[90] = "" if rng.random() < 0.02 else str(aff)
            t[91] = c1
            t[100:108] = (pid, quote(name), "", "YES" if shippable else "NO",
                          price, sku, brand, quote(desc))
            if recurring:
                t[112] = pid
                t[113] = quote(name)
            else:
                t[113] = "None"
            t[116] = "0"
            # the same, approved or declined
            ok = t[:]
            ok[71] = "YES" if recurring else "NO"
            ok[123] = "1"
            no = t[:]
            no[71] = "YES" if recurring else "NO"
            no[72] = "N/A"
            no[39] = no[75] = no[76] = no[123] = "0"
            combos.append((ok, no, brand, price, recurring, gw[0]))
        return combos

    def us_date(self, d):
        s = self.dates.get(d)
        if s is None:
            s = self.dates[d] = (us_date(d), d.isoformat(),
                                 us_date(d + dt.timedelta(days=30)))
        return s

    def order_row(self, order_id, order_date, minute, kind, file_date):
        """One data row: (fields, number of embedded newlines)."""
        rng = self.rng
        bits = rng.getrandbits(64)
        h = mix(order_id ^ self.seed_mix)
        ok_t, no_t, brand, price, recurring, gw_id = self.combos[h & 4095]
        person = self.people[(h >> 12) % POOL_SIZE]
        roll = (bits >> 35) % 100
        if kind == "create":
            approved = roll < 32
            status = "NEW" if approved else "DECLINED"
        elif roll < 30:
            status = "REFUNDED"
        elif roll < 40:
            status = "VOID"
        elif roll < 70:
            status = "NEW"
        else:
            status = "DECLINED"
        approved = status != "DECLINED"
        row = ok_t[:] if approved else no_t[:]
        date_us, date_iso, date_rec = self.us_date(order_date)
        time = TIMES[minute]
        row[0] = str(order_id)
        row[1] = CREATED_BY[bits % 10]
        row[2:22] = person[0]
        row[35] = date_us
        row[36] = time
        row[42] = person[1]
        row[43] = person[2]
        row[47] = "10.00" if (bits >> 4) & 3 else "0.00"
        row[48] = FEES[(bits >> 6) & 3]
        row[49] = CHARGEBACK_FEES[(bits >> 8) & 3]
        row[52] = person[3]
        row[53] = status
        if (bits >> 10) & 1:
            row[93] = str(100 + (bits >> 11) % 900)
        if (bits >> 21) & 3 == 0:
            row[96] = str(1000000 + (bits >> 23) % 9000000)
        if (bits >> 33) % 500 == 0:
            row[119] = "YES"
        else:
            row[119] = "NO"
        if (bits >> 42) % 400 == 0:
            row[115] = "YES"
        else:
            row[115] = "NO"
        if (bits >> 51) % 10 < 7:
            row[124] = "%032x" % rng.getrandbits(128)
        newlines = 0
        note_roll = (bits >> 55) % 200  # 9 bits: 0..199 about even
        if note_roll < 8:
            if note_roll < 3:
                row[121] = NOTES_QUOTED_CSV[note_roll]
            elif note_roll < 4:
                row[121] = NOTES_NEWLINE_CSV[(bits >> 34) & 1]
                newlines = 1
            else:
                row[121] = NOTES_PLAIN[(bits >> 34) & 3]
        if approved:
            row[39] = person[4]
            if (bits >> 12) & 1:
                row[40] = date_iso
            if (bits >> 13) % 100 < 4:
                row[75] = row[76] = "Not Available"
            else:
                row[75] = str(10000000000 + (bits >> 20) % 89999999999)
                row[76] = "%06X" % ((bits >> 14) & 0xFFFFFF)
            row[72] = date_rec if recurring else "N/A"
        else:
            row[54] = DECLINE_REASONS_CSV[(bits >> 13) % len(DECLINE_REASONS)]
        if kind != "create":
            file_us = self.us_date(file_date)[0]
            if status == "REFUNDED":
                row[84:88] = ("YES", price, file_us, "Customer Service")
            elif status == "VOID":
                row[80:84] = ("YES", price, file_us, "Customer Service")
            if approved and (bits >> 44) % 40 == 0:
                row[61:64] = ("YES", file_us, "Chargeback System")
        if (bits >> 45) & 7 == 0:
            row[55] = "YES"
            row[56] = GATEWAYS[brand][0][0] if gw_id != GATEWAYS[brand][0][0] \
                else GATEWAYS[brand][1][0]
            row[57] = CASCADE_REASONS[(bits >> 48) % 3]
        else:
            row[55] = "NO"
        if recurring and (bits >> 30) % 3 == 0:
            depth = REBILL_DEPTHS[(bits >> 37) % 7]
            parent = str(max(order_id - 1 - (bits >> 38) % 50000, 1000000))
            row[98] = depth
            row[99] = row[116] = parent
        else:
            row[98] = row[99] = "0"
            row[114] = date_us + " " + time
        return row, newlines

    def prospect_row(self, prospect_id, order_date, minute):
        """Prospects: contact and tracking data, no order."""
        bits = self.rng.getrandbits(32)
        h = mix(prospect_id ^ self.seed_mix)
        ok_t, _, brand, _, _, _ = self.combos[h & 4095]
        person = self.people[(h >> 12) % POOL_SIZE]
        date_us, date_iso, _ = self.us_date(order_date)
        row = [""] * NCOL
        row[0] = "0"
        row[2:12] = person[0][0:10]
        row[35] = date_us
        row[36] = TIMES[minute]
        row[38] = ok_t[38]
        row[40] = date_iso
        row[41] = str(prospect_id)
        row[52] = person[3]
        row[90] = ok_t[90]
        row[91] = ok_t[91]
        row[106] = brand
        if bits & 3:
            row[124] = "%032x" % self.rng.getrandbits(128)
        return row, 0


FEES = ("0.00", "0.07", "0.25", "0.30")
CHARGEBACK_FEES = ("0.00", "25.00", "30.00", "25.00")
REBILL_DEPTHS = ("1", "1", "2", "3", "11", "12", "14")
NOTES_QUOTED_CSV = tuple(quote(n) for n in NOTES_QUOTED)
NOTES_NEWLINE_CSV = tuple(quote(n) for n in NOTES_NEWLINE)
DECLINE_REASONS_CSV = tuple(quote(r) for r in DECLINE_REASONS)


# ---------------------------------------------------------------------------
# Drift and bad rows
# ---------------------------------------------------------------------------

REORDER_SWAPS = ((2, 3), (35, 36), (127, 128))  # fname/lname, date/time, offer/processor
CLICK_ID = 124


def drift_header(names, drift):
    names = list(names)
    if drift == "extra_column":
        names.append("Affiliate Sub ID 6")
    elif drift == "missing_column":
        del names[CLICK_ID]
    elif drift == "reordered":
        for a, b in REORDER_SWAPS:
            names[a], names[b] = names[b], names[a]
    elif drift == "duplicate_header":
        names[92] = names[91]  # c2 becomes a second "c1"
    return names


def drift_row(row, drift, n):
    if drift == "extra_column":
        row.append("" if n % 3 else "sub6-%d" % (n % 97))
    elif drift == "missing_column":
        del row[CLICK_ID]
    elif drift == "reordered":
        for a, b in REORDER_SWAPS:
            row[a], row[b] = row[b], row[a]
    return row


def bad_record(gen, j, order_id, order_date, kind, eol):
    """Malformed record number @j (bytes, one physical line).  The good
    rows are the same with or without bad ones (the random state is put
    back)."""
    state = gen.rng.getstate()
    if kind == "prospect":
        row, _ = gen.prospect_row(order_id, order_date, 0)
    else:
        row, _ = gen.order_row(order_id, order_date, 0, kind, order_date)
    gen.rng.setstate(state)
    row[121] = ""  # no embedded newline: one physical line
    fields = [f.encode() for f in row]
    sort = j % 3
    if sort == 0:
        # wrong number of fields: one missing or one too many
        if j % 2:
            fields.append(b"unexpected")
        else:
            fields.pop()
    elif sort == 1:
        # a bare quote inside an unquoted field
        fields[4] = b'%d "Old Mill Rd' % (100 + j)
    else:
        # invalid UTF-8: Latin-1 bytes where UTF-8 belongs
        fields[2] = b"Jos\xe9"
        fields[3] = b"Mar\xeda"
    return b",".join(fields) + eol.encode()


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def read_header():
    with open(HEADER_FILE, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    names = text.rstrip("\r\n").split(",")
    if len(names) != NCOL:
        sys.exit("gen_orders: %s: expected %d columns, got %d"
                 % (HEADER_FILE, NCOL, len(names)))
    return raw, names


def open_out(path, use_gzip):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    if use_gzip:
        # no name and mtime 0 in the gzip header: the same bytes every run
        return GzipOut(path)
    return open(path, "wb")


class GzipOut(gzip.GzipFile):
    """gzip.GzipFile that also closes the file it opened."""

    def __init__(self, path):
        self.raw_file = open(path, "wb")
        super().__init__(filename="", mode="wb", compresslevel=6,
                         fileobj=self.raw_file, mtime=0)

    def close(self):
        try:
            super().close()
        finally:
            self.raw_file.close()


def write_file(path, gen, rows, order_date, kind, first_id, drift="none",
               bad_rows=0, eol="\r\n", use_gzip=False, update_ids=None):
    """Write one export.  @update_ids: list of (order_id, order_date,
    minute of the day) for kind update (default: first_id .. first_id +
    rows - 1 on order_date, as a create file of the same rows has them).
    @return the 1-based physical line numbers of the bad records."""
    header_raw, names = read_header()
    if drift == "none" and eol == "\r\n":
        header = header_raw
    else:
        header = (",".join(drift_header(names, drift)) + eol).encode()
    # bad records go after good record number pos (0-based count of good
    # records written before them), evenly spread
    bad_after = [((j + 1) * rows) // (bad_rows + 1) for j in range(bad_rows)]
    bad_lines = []
    line = 1  # the header
    bi = 0
    chunk = []
    with open_out(path, use_gzip) as f:
        f.write(header)
        for i in range(rows):
            while bi < bad_rows and bad_after[bi] == i:
                flush(f, chunk)
                f.write(bad_record(gen, bi, first_id + rows + bi,
                                   order_date, kind, eol))
                line += 1
                bad_lines.append(line)
                bi += 1
            minute = (i * 1440) // rows
            if kind == "prospect":
                row, nl = gen.prospect_row(first_id + i, order_date, minute)
            elif kind == "update" and update_ids is not None:
                oid, odate, ominute = update_ids[i]
                row, nl = gen.order_row(oid, odate, ominute, kind, order_date)
            else:
                row, nl = gen.order_row(first_id + i, order_date, minute,
                                        kind, order_date)
            if drift != "none":
                row = drift_row(row, drift, i)
            chunk.append(",".join(row))
            chunk.append(eol)
            line += 1 + nl
            if len(chunk) >= 8192:
                flush(f, chunk)
        flush(f, chunk)
        while bi < bad_rows:
            f.write(bad_record(gen, bi, first_id + rows + bi, order_date,
                               kind, eol))
            line += 1
            bad_lines.append(line)
            bi += 1
        flush(f, chunk)
    return bad_lines


def flush(f, chunk):
    """Write @chunk (str pieces) as UTF-8 and empty it."""
    if chunk:
        f.write("".join(chunk).encode("utf-8"))
        del chunk[:]


def parse_date(s):
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError("not a YYYY-MM-DD date: %r" % s)


def default_first_id(day):
    """7-digit ids that do not overlap between days for < 24,000 rows."""
    return 1000000 + ((day - dt.date(2024, 1, 1)).days % 360) * 24000


def demo(args):
    """The demo tree: one orders-create and one orders-update file a day."""
    gen = Generator(args.seed)
    start = args.end - dt.timedelta(days=args.days - 1)
    first = args.first_order_id or 2000001
    r = args.rows_per_file
    files = 0
    total = 0
    for sub in ("orders-create", "orders-update", "prospects-create"):
        os.makedirs(os.path.join(args.demo, sub), exist_ok=True)
    for k in range(args.days):
        day = start + dt.timedelta(days=k)
        for prefix in ("orders-create", "orders-update"):
            name_rng = random.Random("%d-%s-%s" % (args.seed, day, prefix))
            hhmm = "%02d%02d" % (name_rng.randint(6, 19), name_rng.randint(0, 59))
            name = "report_%sT%s_%06x.csv" % (day.isoformat(), hhmm,
                                              name_rng.getrandbits(24))
            path = os.path.join(args.demo, prefix, name)
            if prefix == "orders-create":
                write_file(path, gen, r, day, "create", first + k * r)
            else:
                # updates for orders of the last 30 days (this one included)
                lo = max(0, k - 29)
                ids = sorted(name_rng.sample(
                    range(first + lo * r, first + (k + 1) * r), r))
                # each as it was created: its day, its time of day
                update_ids = [(oid, start + dt.timedelta(days=(oid - first) // r),
                               ((oid - first) % r) * 1440 // r)
                              for oid in ids]
                write_file(path, gen, len(update_ids), day, "update", first,
                           update_ids=update_ids)
            files += 1
            total += r
    print(json.dumps({"files": files, "rows": total}))
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", help="output file")
    p.add_argument("--rows", type=int, help="good data rows")
    p.add_argument("--date", type=parse_date,
                   help="order date (YYYY-MM-DD) of the rows")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--kind", choices=("create", "update", "prospect"),
                   default="create")
    p.add_argument("--gzip", action="store_true", help="gzip the output")
    p.add_argument("--first-order-id", type=int, default=None,
                   help="first order (prospect) id; default from --date")
    p.add_argument("--drift", default="none",
                   choices=("none", "extra_column", "missing_column",
                            "reordered", "duplicate_header"))
    p.add_argument("--bad-rows", type=int, default=None, metavar="K",
                   help="add K malformed records; their line numbers go to "
                        "stderr as JSON")
    eol = p.add_mutually_exclusive_group()
    eol.add_argument("--crlf", dest="eol", action="store_const", const="\r\n",
                     help="CRLF line ends (default, as the real exports)")
    eol.add_argument("--lf", dest="eol", action="store_const", const="\n")
    p.set_defaults(eol="\r\n")
    p.add_argument("--demo", metavar="DIR", help="write a demo tree in DIR")
    p.add_argument("--days", type=int, help="demo: number of days")
    p.add_argument("--end", type=parse_date, help="demo: last day")
    p.add_argument("--rows-per-file", type=int, help="demo: rows per file")
    args = p.parse_args()

    if args.demo:
        if not args.days or args.days < 1 or not args.end \
                or not args.rows_per_file or args.rows_per_file < 1:
            p.error("--demo needs --days N, --end YYYY-MM-DD and "
                    "--rows-per-file R (N, R >= 1)")
        demo(args)
        return
    if not args.out or args.rows is None or args.date is None:
        p.error("--out, --rows and --date are required (or --demo)")
    if args.rows < 0 or (args.bad_rows or 0) < 0:
        p.error("--rows and --bad-rows must be >= 0")
    first = args.first_order_id or default_first_id(args.date)
    gen = Generator(args.seed)
    bad = write_file(args.out, gen, args.rows, args.date, args.kind, first,
                     drift=args.drift, bad_rows=args.bad_rows or 0,
                     eol=args.eol, use_gzip=args.gzip)
    if args.bad_rows is not None:
        sys.stderr.write(json.dumps({"bad_lines": bad}) + "\n")
        sys.stderr.flush()


if __name__ == "__main__":
    main()
