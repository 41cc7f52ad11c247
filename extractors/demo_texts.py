"""Text templates for the demo corpus: what officials post and what citizens answer."""

from __future__ import annotations

import random

TOPIC_POSTS: dict[str, list[str]] = {
    "water": [
        "Canal closure schedule for the {place} division has been published: {url}",
        "Water allocation for the rabi season agreed with all provinces. Details: {url} #WaterSecurity",
        "Field teams are inspecting the {place} embankments today ahead of the high-flow season.",
        "Tubewell solarisation scheme: applications open until the end of the month. {url}",
        "River flows at {place} are normal this morning. Next update at 6 pm.",
    ],
    "health": [
        "Free vaccination camps in {place} this week, from 9 am to 4 pm. #HealthForAll",
        "Dengue surveillance teams visited 1,240 homes in {place} yesterday. Keep water covered.",
        "New OPD timings at district hospitals from Monday: {url}",
        "Polio campaign round 3 starts on Monday in {place}. Please open your doors to the teams.",
        "Helpline 1166 is available around the clock for health queries.",
    ],
    "power": [
        "Load management schedule for {place} feeders updated: {url}",
        "Net-metering applications can now be filed online. {url} #CleanEnergy",
        "Maintenance shutdown on the {place} grid station on Sunday, 8 am to 2 pm.",
        "Circular debt reduction plan approved by the cabinet committee today.",
        "Report illegal connections on 118. Together we can reduce line losses.",
    ],
    "security": [
        "E-passport service extended to {place}. Apply online: {url}",
        "Advisory: avoid the {place} road near the stadium today due to an event.",
        "Identity card renewal centres in {place} open on Saturday this month.",
        "Visa-on-arrival list updated. Details at {url}",
        "Public notice on arms licence verification: {url}",
    ],
    "education": [
        "Admissions for the new session in {place} schools are open till 15th. {url}",
        "Matric results will be announced on Thursday at 10 am. #Results",
        "Teacher recruitment test schedule released: {url}",
        "Scholarships for girls in {place}: 5,000 new places this year.",
        "Winter vacation notification for all public schools: {url}",
    ],
    "disaster": [
        "Heavy rain expected in {place} over the next 48 hours. Stay away from nullahs. #MonsoonAlert",
        "Relief camps are operating in {place}. Helpline 1700. {url}",
        "Flood warning: moderate flood at {place}. Evacuate low-lying areas now.",
        "Weekly preparedness drill held with district teams in {place}.",
        "Situation report for today: {url}",
    ],
    "municipal": [
        "Road resurfacing on {place} road starts tonight; expect diversions.",
        "Cleanliness drive in {place} this Sunday. Join us! #CleanCity",
        "Complaint cell for water supply in {place}: call 1334 or use {url}",
        "Price control magistrates inspected 84 shops in {place} today.",
        "Encroachment removal operation completed on {place} bazaar.",
    ],
}

SHOUTY_POSTS = [
    "STRICT ACTION WILL BE TAKEN AGAINST HOARDERS IN {place}!! NO ONE IS ABOVE THE LAW!!",
    "WE HAVE DELIVERED WHAT OTHERS ONLY PROMISED!! PROUD OF OUR TEAM IN {place}!!",
    "BREAKING: ALL OFFICES IN {place} WILL REMAIN OPEN ON SATURDAY!! {url}",
    "ZERO TOLERANCE FOR CORRUPTION!! REPORT IT NOW!! #Accountability",
    "Another milestone achieved!! Thank you {place}!!",
]

URDU_POSTS = [
    "{place} میں صفائی مہم کا آغاز کر دیا گیا ہے۔ شہریوں سے تعاون کی اپیل ہے",
    "بارش کے پیش نظر تمام عملہ الرٹ ہے۔ ہیلپ لائن 1334 پر رابطہ کریں",
    "پولیو مہم پیر سے شروع ہو رہی ہے، براہ کرم ٹیموں سے تعاون کریں",
    "{place} کے شہریوں کے لیے پانی کی فراہمی کا نیا شیڈول جاری کر دیا گیا {url}",
    "عوامی شکایات کے ازالے کے لیے کھلی کچہری جمعرات کو ہوگی",
]

CITIZEN_REPLIES = [
    "No water in {place} for three days now. Who do we complain to?",
    "The helpline is not picking up. Please check.",
    "When will the schedule for {place} be announced?",
    "Thank you, this is helpful.",
    "My application has been pending for two months, reference {ref}.",
    "Road in {place} is still broken after the rain, please send a team.",
    "Is this valid for {place} as well?",
    "The link in your post does not open.",
    "Please share the form in Urdu too.",
    "Sir, nobody answers at the office in {place}.",
    "{place} میں بجلی کل سے بند ہے، کوئی سننے والا نہیں",
    "شکریہ، بہت اچھا اقدام ہے",
    "Electricity bill is wrong this month, reference {ref}. Please help!",
]

CITIZEN_FOLLOW_UPS = [
    "Any update on this?",
    "Still waiting for a reply.",
    "Adding: the problem started on Monday.",
    "Reference number again: {ref}",
]

RESPONSES = [
    "Thank you for reporting. The {place} team has been informed and will contact you.",
    "Please send your details by DM so we can follow up.",
    "The schedule will be shared tomorrow on this account.",
    "Your complaint has been registered, reference {ref}.",
    "We apologise for the inconvenience. Our field staff are on it.",
    "Yes, it applies to {place} as well.",
    "آپ کی شکایت متعلقہ محکمے کو بھیج دی گئی ہے",
]

INTERAGENCY = [
    "@{other} We are coordinating with your team on this in {place}.",
    "@{other} Our staff are available to support. Please share the focal person.",
    "@{other} Thank you for the timely update.",
]

PLACES = [
    "Lahore", "Karachi", "Peshawar", "Quetta", "Hyderabad", "Multan", "Sukkur", "Gilgit",
    "Bahawalpur", "Faisalabad", "Rawalpindi", "Larkana", "Swat", "Turbat", "Mardan", "Sialkot",
]

FIRST_NAMES = [
    "ali", "sana", "bilal", "ayesha", "usman", "fatima", "hamza", "zainab", "imran", "hira",
    "faisal", "maryam", "kamran", "nadia", "tariq", "sadia", "asad", "rabia", "junaid", "amna",
]


def fill(template: str, rng: random.Random, other: str = "") -> str:
    return template.format(
        place=rng.choice(PLACES),
        url=f"https://gov.example/n/{rng.randrange(10_000, 99_999)}",
        ref=f"{rng.randrange(100_000, 999_999)}",
        other=other,
    )
