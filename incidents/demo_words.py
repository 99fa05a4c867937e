"""Invented words for the demo case: people, places, quotes and sentences that seed_demo
combines so that a long demo log does not read as copy and paste. All of it is fictional."""

from incidents.models import Case, Incident

Kind = Incident.Kind
Response = Incident.Response


# How common each kind is at the start of the log and at the end: messages first, then more
# showing up, watching and intimidation as it escalates.
KIND_WEIGHTS: dict[str, tuple[float, float]] = {
    Kind.CALLS: (26, 18),
    Kind.TEXTS: (30, 22),
    Kind.SOCIAL_MEDIA: (18, 11),
    Kind.EMAIL: (6, 3),
    Kind.SHOWED_UP_HOME: (2, 7),
    Kind.SHOWED_UP_WORK: (2, 4),
    Kind.FOLLOWING: (1, 4),
    Kind.WATCHING: (2, 6),
    Kind.TRACKING: (0.2, 1.5),
    Kind.GIFTS: (4, 3),
    Kind.THIRD_PARTIES: (3, 5),
    Kind.PROPERTY_DAMAGE: (0.2, 2),
    Kind.THREATS: (0.2, 3),
    Kind.SABOTAGE: (0.5, 2),
    Kind.VIOLENCE: (0, 0.6),
    Kind.OTHER: (2, 2),
}
REMOTE = {Kind.CALLS, Kind.TEXTS, Kind.SOCIAL_MEDIA, Kind.EMAIL}
IN_PERSON = {
    Kind.SHOWED_UP_HOME,
    Kind.SHOWED_UP_WORK,
    Kind.FOLLOWING,
    Kind.WATCHING,
    Kind.VIOLENCE,
}
SERIOUS = {Kind.PROPERTY_DAMAGE, Kind.THREATS, Kind.VIOLENCE}
# Local hour of day, 0-23: quiet mornings, busy evenings, a long tail into the night.
HOUR_WEIGHTS = [5, 4, 3, 2, 1, 1, 1, 2, 3, 3, 3, 3, 4, 3, 3, 3, 4, 5, 7, 9, 11, 12, 11, 8]
WORK_HOURS = list(range(8, 19))

DEMO_CASE = {
    "name": "Sam Doe",
    "aliases": "Sammy\nsamd_example",
    "relationship": Case.Relationship.FORMER_PARTNER,
    "description": (
        "Invented person for the demo; not real. About 1.80 m, short dark hair, often wears "
        "a grey hooded jacket. Says they work nights at a warehouse on Example Road."
    ),
    "phone_numbers": "555-0134\n555-0178 (work)",
    "online_accounts": "sam.doe@example.com\n@samdoe.example (Instagram)\nsam.d.example (Facebook)",
    "vehicles": "Blue hatchback, number plate DEMO 123",
    "addresses": "42 Example Street, Sampletown",
}

# --- Words. Sentences are put together from these pools, so a long log rarely repeats. ---

CALLERS = ["their usual number (555-0134)", "a withheld number", "555-0178", "a new number"]
CHANNELS: dict[str, list[str]] = {
    Kind.CALLS: ["Mobile phone", "Mobile phone", "Landline at home", "WhatsApp call"],
    Kind.TEXTS: ["SMS", "SMS", "WhatsApp", "Signal", "iMessage"],
    Kind.SOCIAL_MEDIA: ["Instagram", "Facebook", "TikTok", "LinkedIn", "X"],
    Kind.EMAIL: ["Personal e-mail", "Work e-mail"],
    Kind.THREATS: ["In person", "Voicemail", "SMS", "WhatsApp"],
}
HOME_PLACES = ["my front door", "my front door", "the entrance to my building", "my garden gate"]
CAR_PLACES = ["the car park behind my flat", "the street outside my flat", "the staff car park"]
WORK_PLACES = ["the office reception", "the staff car park", "the front desk at work"]
OUT_PLACES = [
    "the bus stop on Elm Road",
    "the supermarket on Market Street",
    "the gym on Station Road",
    "the train station",
    "the café on Mill Lane",
    "the park by the river",
    "the petrol station on the ring road",
]
PEOPLE = ["my sister", "my brother", "my mother", "my best friend", "my manager", "a neighbour"]
PEOPLE += ["my flatmate", "a mutual friend", "my cousin"]
FIRST_NAMES = ["Alex", "Jordan", "Taylor", "Casey", "Robin", "Morgan", "Jamie", "Riley"]
FIRST_NAMES += ["Avery", "Charlie", "Drew", "Kai", "Noor", "Jesse"]
LAST_NAMES = ["Reyes", "Okafor", "Lindqvist", "Patel", "Novak", "Brennan", "Moreau", "Tanaka"]
ROLES = ["neighbour", "colleague", "friend", "flatmate", "passer-by", "shop assistant"]

# Main sentence per kind; "<kind>_many" when count > 1. Unused placeholders are ignored.
TEMPLATES: dict[str, list[str]] = {
    "calls": [
        "Missed call from {caller} at {time}.",
        "Phone rang at {time}, from {caller}. I let it ring out.",
        "A call from {caller} at {time}.",
    ],
    "calls_many": [
        "{count} missed calls from {caller} between {time} and {until}.",
        "{count} calls in a row from {caller}, {time} to {until}.",
        "Calls kept coming from {time} until {until}: {count} in all, from {caller}.",
    ],
    "texts": [
        "A text message at {time}.",
        "One {channel} message at {time}, from a number I didn't know.",
        "{channel} message at {time}, just after I got home.",
    ],
    "texts_many": [
        "{count} {channel} messages between {time} and {until}.",
        "{count} texts in a row from {time}, the last one at {until}.",
        "A stream of {count} messages from {time} to {until}, pleading, then angry.",
    ],
    "social_media": [
        "Friend request on {channel} from a new account with their photo.",
        "Tagged me in a post on {channel} about 'the truth about us'.",
        "Message request on {channel} from an account I had not seen before.",
        "Liked and commented on old {channel} posts of mine, going back years.",
    ],
    "social_media_many": [
        "{count} comments under my {channel} posts in one evening, from {time}.",
        "{count} messages on {channel} from an account I didn't recognise.",
    ],
    "email": [
        "E-mail at {time}, subject '{subject}'.",
        "Long e-mail at {time} with the subject '{subject}', sent from a new address.",
    ],
    "email_many": ["{count} e-mails between {time} and {until}, the first one titled '{subject}'."],
    "showed_up_home": [
        "Was at {place} at {time} when I got home.",
        "Waited at {place} from {time}, looking up at my windows.",
        "Turned up at {place} at {time} and called out my name.",
        "Came to {place} at {time} and stayed there. I did not go out.",
    ],
    "showed_up_work": [
        "Turned up at {place} at {time}, asking for me by name.",
        "Waiting at {place} when I finished my shift.",
        "Asked a colleague at {place} what time I usually leave.",
    ],
    "following": [
        "Followed me from {place} for about {minutes} minutes.",
        "Same blue hatchback behind me from {place} almost all the way home.",
        "Walked behind me from {place} and stopped whenever I stopped.",
        "Got on the same bus at {place} and sat two rows behind me.",
    ],
    "watching": [
        "Parked across the road from {place} for about {minutes} minutes.",
        "Standing near {place} when I came out, watching me.",
        "Sat by the window of the café opposite {place} for about {minutes} minutes.",
        "Saw them at {place} again, looking over at me.",
    ],
    "tracking": [
        "Found a small tracking tag taped under the rear bumper of my car.",
        "My phone warned me about an unknown tracker travelling with me.",
        "Location sharing had been switched on in my phone account. I did not do that.",
        "A sign-in to my e-mail account from a device I don't own.",
    ],
    "gifts": [
        "Flowers left on the doorstep, no card.",
        "A parcel with a framed photo of the two of us.",
        "A four-page handwritten letter pushed through the letterbox.",
        "A bag with things I had left at their place, and a note.",
    ],
    "third_parties": [
        "{person} told me they were messaged, asking where I live now.",
        "Called {person} and asked them to 'talk some sense into me'.",
        "Sent {person} a long message about our 'private business'.",
        "Turned up at the home of {person} asking about me.",
    ],
    "property_damage": [
        "Found all four tyres on my car let down in the morning.",
        "A deep scratch along the driver's side of my car.",
        "Wing mirror of my car smashed overnight.",
        "Someone had written on my windscreen in marker pen.",
    ],
    "threats": [
        "Said I would 'pay' for going to the police.",
        "Threatened to hurt me if I would not meet them.",
        "Said they would come to my work and make a scene I 'won't forget'.",
        "Threatened to post private photos of me online.",
    ],
    "sabotage": [
        "A one-star review about me on my business page, under a made-up name.",
        "Someone called my bank pretending to be me; the bank flagged it.",
        "An anonymous complaint about me was sent to my employer.",
        "Signed my e-mail address up to dozens of mailing lists.",
    ],
    "violence": [
        "Grabbed my arm at {place} and would not let go until I pulled free.",
        "Pushed me against my car at {place}.",
        "Blocked my way at {place} and shoved me when I tried to pass.",
    ],
    "other": [
        "A car I think is theirs drove slowly past the house twice.",
        "A takeaway I had not ordered was delivered at {time}, already paid for.",
        "A taxi I had not booked arrived at my door at {time}.",
    ],
}
CALL_DETAILS = [
    "I kept the call log.",
    "Phone was on silent; I only saw them later.",
    "It started again as soon as I put the phone down.",
    "It came while I was out with friends.",
]
MESSAGE_DETAILS = [
    "Screenshots saved.",
    "Phone was on silent; I only saw it later.",
    "It came while I was out with friends.",
    "Nothing for two days before this.",
    "Saved and not answered.",
]
IN_PERSON_DETAILS = [
    "I stayed inside and kept the lights off.",
    "I went back into the building and waited.",
    "They left when a neighbour came out.",
    "I took a photo from the window.",
    "Wearing the grey hooded jacket again.",
    "I rang a friend and stayed on the phone until they had gone.",
]
OTHER_DETAILS = ["Same as last weekend.", "I photographed it.", "Kept everything."]
OTHER_DETAILS += ["I told my sister straight away."]

PLEADING = [
    "Why are you doing this?",
    "Just talk to me.",
    "Five minutes, that's all I'm asking.",
    "You can't ignore me forever.",
    "Pick up.",
    "I know you're reading these.",
    "We were good together and you know it.",
    "Answer me.",
    "I only want to explain.",
    "Call me back tonight.",
    "You owe me that much.",
    "I'll wait as long as it takes.",
    "Did you get my letter?",
    "Who were you with last night?",
    "Stop pretending I don't exist.",
    "I miss you.",
]
WATCHING_LINES = [
    "Nice jacket today.",
    "You looked tired at the station this morning.",
    "You left work late again.",
    "Who was that at your door?",
    "You should close your curtains.",
    "I like the new haircut.",
]
THREAT_LINES = [
    "You'll regret this.",
    "Go to the police and see what happens.",
    "Watch your back.",
    "I know where your family lives.",
    "Something is going to happen to you.",
    "I'll make sure everyone knows what you did.",
]
SUBJECTS = ["Please read this", "One last thing", "You need to know", "Re: us", "Why?"]
EFFECT_NOTES = [
    "Didn't sleep that night.",
    "Changed my route to work.",
    "Had the locks changed the next day.",
    "Asked a colleague to walk me to my car.",
    "Stayed at my brother's for two nights.",
    "Stopped going to the gym.",
    "Took the day off work.",
    "Kept checking the window all evening.",
    "Turned my phone off for the evening.",
]
# Notes on what the user did, by response, then by kind ("" for any other kind).
RESPONSE_NOTES: dict[str, dict[str, list[str]]] = {
    Response.BLOCKED: {
        Kind.CALLS: ["Blocked the number."],
        Kind.TEXTS: ["Blocked the number.", "Blocked the number and saved the messages."],
        Kind.SOCIAL_MEDIA: ["Blocked and reported the account."],
        Kind.EMAIL: ["Blocked the address and kept the e-mails."],
    },
    Response.POLICE: {
        "": [
            "Called the police; an officer came round later.",
            "Reported it to the police online and got a reference number.",
        ]
    },
    Response.REPLIED: {
        Kind.CALLS: ["Answered by mistake and hung up.", "Picked up and said 'stop calling'."],
        Kind.SHOWED_UP_HOME: ["Told them through the door to leave."],
        Kind.SHOWED_UP_WORK: ["Told them to leave, then went back inside."],
        "": ["Replied 'please stop contacting me'.", "Replied once, then stopped myself."],
    },
    Response.OTHER: {"": ["Told my manager.", "Told my sister and saved everything."]},
}
# Danger flags always come with words that explain them.
FLAG_SENTENCES = {
    "weapon": "They had a knife and made sure I saw it.",
    "break_in": "The side gate to my back garden had been forced open as well.",
    "threat_of_suicide": "One message said they would hurt themselves if I kept ignoring them.",
    "violates_order": "This was after the protection order had been served.",
}
