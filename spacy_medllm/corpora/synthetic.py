"""Write the project's synthetic clinical sample corpus (deterministic: same seed, same files).

Every note is invented: no real patient text. Notes have sections; entities are
PROBLEM / TEST / TREATMENT with an assertion (present, absent, possible, hypothetical,
historical, family); each note has a specialty label; a subset of sentences carries a
reference French translation. Usage: medllm make-sample assets/sample
"""
import json
import random
import re
from pathlib import Path

SPECIALTIES = ["cardiology", "pulmonology", "neurology", "gastroenterology", "endocrinology"]

# (english, french, specialty or None for any)
PROBLEMS = [
    ("chest pain", "douleur thoracique", "cardiology"), ("atrial fibrillation", "fibrillation auriculaire", "cardiology"),
    ("congestive heart failure", "insuffisance cardiaque congestive", "cardiology"), ("hypertension", "hypertension", "cardiology"),
    ("palpitations", "palpitations", "cardiology"), ("myocardial infarction", "infarctus du myocarde", "cardiology"),
    ("aortic stenosis", "sténose aortique", "cardiology"), ("peripheral edema", "œdème périphérique", "cardiology"),
    ("syncope", "syncope", "cardiology"), ("coronary artery disease", "maladie coronarienne", "cardiology"),
    ("shortness of breath", "essoufflement", "pulmonology"), ("pneumonia", "pneumonie", "pulmonology"),
    ("asthma", "asthme", "pulmonology"), ("chronic obstructive pulmonary disease", "bronchopneumopathie chronique obstructive", "pulmonology"),
    ("pleural effusion", "épanchement pleural", "pulmonology"), ("pulmonary embolism", "embolie pulmonaire", "pulmonology"),
    ("wheezing", "respiration sifflante", "pulmonology"), ("productive cough", "toux productive", "pulmonology"),
    ("hemoptysis", "hémoptysie", "pulmonology"), ("sleep apnea", "apnée du sommeil", "pulmonology"),
    ("headache", "céphalée", "neurology"), ("seizure", "crise convulsive", "neurology"), ("stroke", "accident vasculaire cérébral", "neurology"),
    ("migraine", "migraine", "neurology"), ("numbness", "engourdissement", "neurology"), ("dizziness", "vertiges", "neurology"),
    ("memory loss", "perte de mémoire", "neurology"), ("tremor", "tremblement", "neurology"), ("facial droop", "asymétrie faciale", "neurology"),
    ("multiple sclerosis", "sclérose en plaques", "neurology"),
    ("abdominal pain", "douleur abdominale", "gastroenterology"), ("nausea", "nausées", "gastroenterology"),
    ("vomiting", "vomissements", "gastroenterology"), ("diarrhea", "diarrhée", "gastroenterology"),
    ("gastrointestinal bleeding", "hémorragie digestive", "gastroenterology"), ("cirrhosis", "cirrhose", "gastroenterology"),
    ("pancreatitis", "pancréatite", "gastroenterology"), ("gastroesophageal reflux", "reflux gastro-œsophagien", "gastroenterology"),
    ("colon cancer", "cancer du côlon", "gastroenterology"), ("jaundice", "ictère", "gastroenterology"),
    ("diabetes mellitus", "diabète sucré", "endocrinology"), ("hypothyroidism", "hypothyroïdie", "endocrinology"),
    ("hyperglycemia", "hyperglycémie", "endocrinology"), ("hypoglycemia", "hypoglycémie", "endocrinology"),
    ("obesity", "obésité", "endocrinology"), ("thyroid nodule", "nodule thyroïdien", "endocrinology"),
    ("diabetic neuropathy", "neuropathie diabétique", "endocrinology"), ("polyuria", "polyurie", "endocrinology"),
    ("weight loss", "perte de poids", "endocrinology"), ("adrenal insufficiency", "insuffisance surrénalienne", "endocrinology"),
    ("fever", "fièvre", None), ("fatigue", "fatigue", None), ("anemia", "anémie", None), ("chills", "frissons", None),
    ("depression", "dépression", None), ("back pain", "douleur lombaire", None), ("rash", "éruption cutanée", None),
    ("urinary tract infection", "infection urinaire", None), ("breast cancer", "cancer du sein", None),
    ("chronic kidney disease", "insuffisance rénale chronique", None),
]
TESTS = [
    ("electrocardiogram", "électrocardiogramme", "cardiology"), ("echocardiogram", "échocardiographie", "cardiology"),
    ("troponin", "troponine", "cardiology"), ("stress test", "épreuve d'effort", "cardiology"), ("cardiac catheterization", "cathétérisme cardiaque", "cardiology"),
    ("chest x-ray", "radiographie thoracique", "pulmonology"), ("CT angiogram", "angioscanner", "pulmonology"),
    ("pulmonary function tests", "épreuves fonctionnelles respiratoires", "pulmonology"), ("arterial blood gas", "gaz du sang artériel", "pulmonology"),
    ("sputum culture", "culture des expectorations", "pulmonology"),
    ("MRI of the brain", "IRM cérébrale", "neurology"), ("CT head", "scanner cérébral", "neurology"), ("EEG", "EEG", "neurology"),
    ("lumbar puncture", "ponction lombaire", "neurology"),
    ("colonoscopy", "coloscopie", "gastroenterology"), ("upper endoscopy", "endoscopie digestive haute", "gastroenterology"),
    ("liver function tests", "bilan hépatique", "gastroenterology"), ("lipase", "lipase", "gastroenterology"), ("abdominal ultrasound", "échographie abdominale", "gastroenterology"),
    ("hemoglobin A1c", "hémoglobine glyquée", "endocrinology"), ("TSH", "TSH", "endocrinology"), ("thyroid ultrasound", "échographie thyroïdienne", "endocrinology"),
    ("fasting glucose", "glycémie à jeun", "endocrinology"), ("cortisol level", "dosage du cortisol", "endocrinology"),
    ("complete blood count", "numération formule sanguine", None), ("basic metabolic panel", "ionogramme sanguin", None),
    ("urinalysis", "analyse d'urine", None), ("blood cultures", "hémocultures", None), ("creatinine", "créatinine", None),
]
TREATMENTS = [
    ("metoprolol", "métoprolol", "cardiology"), ("aspirin", "aspirine", "cardiology"), ("lisinopril", "lisinopril", "cardiology"),
    ("furosemide", "furosémide", "cardiology"), ("apixaban", "apixaban", "cardiology"), ("atorvastatin", "atorvastatine", "cardiology"),
    ("coronary stent placement", "pose d'un stent coronaire", "cardiology"),
    ("albuterol", "salbutamol", "pulmonology"), ("azithromycin", "azithromycine", "pulmonology"), ("prednisone", "prednisone", "pulmonology"),
    ("supplemental oxygen", "oxygénothérapie", "pulmonology"), ("CPAP", "PPC", "pulmonology"), ("tiotropium", "tiotropium", "pulmonology"),
    ("levetiracetam", "lévétiracétam", "neurology"), ("sumatriptan", "sumatriptan", "neurology"), ("tissue plasminogen activator", "activateur tissulaire du plasminogène", "neurology"),
    ("gabapentin", "gabapentine", "neurology"), ("physical therapy", "kinésithérapie", "neurology"),
    ("omeprazole", "oméprazole", "gastroenterology"), ("ondansetron", "ondansétron", "gastroenterology"), ("lactulose", "lactulose", "gastroenterology"),
    ("cholecystectomy", "cholécystectomie", "gastroenterology"), ("intravenous fluids", "perfusion intraveineuse", "gastroenterology"),
    ("metformin", "metformine", "endocrinology"), ("insulin glargine", "insuline glargine", "endocrinology"), ("levothyroxine", "lévothyroxine", "endocrinology"),
    ("hydrocortisone", "hydrocortisone", "endocrinology"), ("dietary counseling", "conseils diététiques", "endocrinology"),
    ("acetaminophen", "paracétamol", None), ("ceftriaxone", "ceftriaxone", None), ("vancomycin", "vancomycine", None),
    ("sertraline", "sertraline", None), ("physical rehabilitation", "rééducation", None),
]
DOSES = ["5 mg", "10 mg", "20 mg", "25 mg", "40 mg", "81 mg", "100 mg", "500 mg", "1 g", "2 puffs", "10 units"]
FREQS = [("daily", "par jour"), ("twice daily", "deux fois par jour"), ("at bedtime", "au coucher"), ("every 6 hours", "toutes les 6 heures")]
RELATIVES = [("mother", "mère"), ("father", "père"), ("sister", "sœur"), ("brother", "frère"), ("grandmother", "grand-mère")]
YEARS = [str(y) for y in range(1998, 2022)]

# Templates: (english, french, {slot: (kind, assertion)}). Slots P*/T*/R* take a term of
# that kind; {REL}, {DOSE}, {FREQ}, {YEAR}, {N} are filled with plain values.
T = {
    "cc": [
        ("{P1}.", "{P1}.", {"P1": ("P", "present")}),
        ("{P1} and {P2}.", "{P1} et {P2}.", {"P1": ("P", "present"), "P2": ("P", "present")}),
        ("{P1} for {N} days.", "{P1} depuis {N} jours.", {"P1": ("P", "present")}),
    ],
    "hpi": [
        ("The patient presents with {P1} for the past {N} days.", "Le patient consulte pour {P1} depuis {N} jours.", {"P1": ("P", "present")}),
        ("She reports {P1} but denies {P2}.", "Elle signale {P1} mais nie {P2}.", {"P1": ("P", "present"), "P2": ("P", "absent")}),
        ("He denies {P1}, {P2} or {P3}.", "Il nie {P1}, {P2} ou {P3}.", {"P1": ("P", "absent"), "P2": ("P", "absent"), "P3": ("P", "absent")}),
        ("No {P1}.", "Pas de {P1}.", {"P1": ("P", "absent")}),
        ("Patient has had no {P1} since discharge.", "Le patient n'a pas eu de {P1} depuis sa sortie.", {"P1": ("P", "absent")}),
        ("There was no increase in {P1}.", "Il n'y a pas eu d'aggravation de {P1}.", {"P1": ("P", "present")}),
        ("Symptoms are concerning for {P1}.", "Les symptômes font craindre {P1}.", {"P1": ("P", "possible")}),
        ("Possible {P1}, cannot rule out {P2}.", "{P1} possible, {P2} ne peut être exclu.", {"P1": ("P", "possible"), "P2": ("P", "possible")}),
        ("She was started on {R1} with improvement of her {P1}.", "Elle a débuté {R1} avec amélioration de {P1}.", {"R1": ("R", "present"), "P1": ("P", "present")}),
        ("He reports worsening {P1} despite {R1}.", "Il signale une aggravation de {P1} malgré {R1}.", {"P1": ("P", "present"), "R1": ("R", "present")}),
        ("{P1} began {N} weeks ago and is associated with {P2}.", "{P1} a débuté il y a {N} semaines et s'accompagne de {P2}.", {"P1": ("P", "present"), "P2": ("P", "present")}),
        ("The patient was treated for {P1} in {YEAR}.", "Le patient a été traité pour {P1} en {YEAR}.", {"P1": ("P", "historical")}),
        ("Without {P1} or {P2}.", "Sans {P1} ni {P2}.", {"P1": ("P", "absent"), "P2": ("P", "absent")}),
        ("She is not sure whether the {P1} is related to {R1}.", "Elle ne sait pas si {P1} est lié à {R1}.", {"P1": ("P", "present"), "R1": ("R", "present")}),
        ("{T1} in the emergency department showed {P1}.", "{T1} aux urgences a montré {P1}.", {"T1": ("T", "present"), "P1": ("P", "present")}),
        ("{T1} was negative for {P1}.", "{T1} était négatif pour {P1}.", {"T1": ("T", "present"), "P1": ("P", "absent")}),
    ],
    "pmh": [
        ("{P1}.", "{P1}.", {"P1": ("P", "historical")}),
        ("History of {P1} and {P2}.", "Antécédents de {P1} et de {P2}.", {"P1": ("P", "historical"), "P2": ("P", "historical")}),
        ("{P1} diagnosed in {YEAR}, treated with {R1}.", "{P1} diagnostiqué en {YEAR}, traité par {R1}.", {"P1": ("P", "historical"), "R1": ("R", "historical")}),
        ("Status post {R1} in {YEAR}.", "Antécédent de {R1} en {YEAR}.", {"R1": ("R", "historical")}),
        ("Remote history of {P1}, resolved.", "Antécédent lointain de {P1}, résolu.", {"P1": ("P", "historical")}),
    ],
    "meds": [
        ("{R1} {DOSE} {FREQ}.", "{R1} {DOSE} {FREQ}.", {"R1": ("R", "present")}),
        ("{R1} {DOSE} {FREQ} and {R2} {DOSE2} {FREQ2}.", "{R1} {DOSE} {FREQ} et {R2} {DOSE2} {FREQ2}.", {"R1": ("R", "present"), "R2": ("R", "present")}),
        ("She stopped taking {R1} last year.", "Elle a arrêté {R1} l'année dernière.", {"R1": ("R", "historical")}),
    ],
    "fh": [
        ("{REL} with {P1}.", "{REL} atteint(e) de {P1}.", {"P1": ("P", "family")}),
        ("Her {REL} had {P1} at age {AGE}.", "Sa {REL} a eu {P1} à {AGE} ans.", {"P1": ("P", "family")}),
        ("Family history of {P1} and {P2}.", "Antécédents familiaux de {P1} et de {P2}.", {"P1": ("P", "family"), "P2": ("P", "family")}),
        ("No family history of {P1}.", "Pas d'antécédent familial de {P1}.", {"P1": ("P", "absent")}),
    ],
    "ros": [
        ("Negative for {P1}, {P2} and {P3}.", "Négatif pour {P1}, {P2} et {P3}.", {"P1": ("P", "absent"), "P2": ("P", "absent"), "P3": ("P", "absent")}),
        ("Positive for {P1}.", "Positif pour {P1}.", {"P1": ("P", "present")}),
        ("Denies {P1}. Reports {P2}.", "Nie {P1}. Signale {P2}.", {"P1": ("P", "absent"), "P2": ("P", "present")}),
        ("No {P1} or {P2}; mild {P3}.", "Pas de {P1} ni de {P2} ; {P3} légère.", {"P1": ("P", "absent"), "P2": ("P", "absent"), "P3": ("P", "present")}),
    ],
    "assessment": [
        ("{P1}, likely secondary to {P2}.", "{P1}, probablement secondaire à {P2}.", {"P1": ("P", "present"), "P2": ("P", "possible")}),
        ("Probable {P1}.", "{P1} probable.", {"P1": ("P", "possible")}),
        ("{P1}, improving on {R1}.", "{P1}, en amélioration sous {R1}.", {"P1": ("P", "present"), "R1": ("R", "present")}),
        ("{P1} has been ruled out.", "{P1} a été exclu.", {"P1": ("P", "absent")}),
        ("{P1} is not ruled out.", "{P1} n'est pas exclu.", {"P1": ("P", "possible")}),
        ("Differential includes {P1} versus {P2}.", "Le diagnostic différentiel inclut {P1} ou {P2}.", {"P1": ("P", "possible"), "P2": ("P", "possible")}),
        ("{T1} confirmed {P1}.", "{T1} a confirmé {P1}.", {"T1": ("T", "present"), "P1": ("P", "present")}),
        ("{T1} showed no evidence of {P1}.", "{T1} n'a montré aucun signe de {P1}.", {"T1": ("T", "present"), "P1": ("P", "absent")}),
        ("Stable {P1}, however new {P2}.", "{P1} stable, cependant nouvelle {P2}.", {"P1": ("P", "present"), "P2": ("P", "present")}),
    ],
    "plan": [
        ("Start {R1} {DOSE} {FREQ}.", "Débuter {R1} {DOSE} {FREQ}.", {"R1": ("R", "present")}),
        ("Continue {R1}.", "Poursuivre {R1}.", {"R1": ("R", "present")}),
        ("Obtain {T1} and {T2}.", "Obtenir {T1} et {T2}.", {"T1": ("T", "hypothetical"), "T2": ("T", "hypothetical")}),
        ("If {P1} recurs, consider {R1}.", "Si {P1} récidive, envisager {R1}.", {"P1": ("P", "hypothetical"), "R1": ("R", "hypothetical")}),
        ("Return to the clinic if she develops {P1}.", "Revenir à la consultation en cas de {P1}.", {"P1": ("P", "hypothetical")}),
        ("Will check {T1} in {N} weeks.", "Contrôle de {T1} dans {N} semaines.", {"T1": ("T", "hypothetical")}),
        ("Discontinue {R1} due to {P1}.", "Arrêter {R1} en raison de {P1}.", {"R1": ("R", "present"), "P1": ("P", "present")}),
        ("Patient was counseled to watch for {P1}.", "Le patient a été informé de surveiller l'apparition de {P1}.", {"P1": ("P", "hypothetical")}),
        ("Schedule {T1} to evaluate for {P1}.", "Programmer {T1} pour rechercher {P1}.", {"T1": ("T", "hypothetical"), "P1": ("P", "possible")}),
    ],
}
HEADERS = {
    "cc": ["Chief complaint:", "CHIEF COMPLAINT:", "CC:"],
    "hpi": ["History of present illness:", "HISTORY OF PRESENT ILLNESS:", "HPI:"],
    "pmh": ["Past medical history:", "PAST MEDICAL HISTORY:", "PMH:"],
    "meds": ["Medications:", "MEDICATIONS:", "Current medications:"],
    "fh": ["Family history:", "FAMILY HISTORY:", "FH:"],
    "ros": ["Review of systems:", "REVIEW OF SYSTEMS:", "ROS:"],
    "assessment": ["Assessment:", "ASSESSMENT:", "Impression:"],
    "plan": ["Plan:", "PLAN:", "Recommendations:"],
}
SECTION_ORDER = ["cc", "hpi", "pmh", "meds", "fh", "ros", "assessment", "plan"]
SENTS_PER_SECTION = {"cc": (1, 1), "hpi": (2, 4), "pmh": (1, 2), "meds": (1, 2), "fh": (1, 2), "ros": (1, 2), "assessment": (1, 3), "plan": (1, 3)}
POOLS = {"P": PROBLEMS, "T": TESTS, "R": TREATMENTS}
LABELS = {"P": "PROBLEM", "T": "TEST", "R": "TREATMENT"}
SLOT_RE = re.compile(r"\{([A-Z]+[0-9]?)\}")


def pick_term(rng, kind, specialty, used):
    pool = POOLS[kind]
    own = [t for t in pool if t[2] == specialty and t[0] not in used]
    other = [t for t in pool if t[2] != specialty and t[0] not in used]
    term = rng.choice(own if own and rng.random() < 0.75 else other)
    used.add(term[0])
    return term


def fill(rng, template, specialty, used):
    en, fr, slots = template
    values = {}
    spans = []
    for name, (kind, assertion) in slots.items():
        term = pick_term(rng, kind, specialty, used)
        values[name] = (term[0], term[1], kind, assertion)
    dose, dose2 = rng.sample(DOSES, 2)
    freq, freq2 = rng.choice(FREQS), rng.choice(FREQS)
    rel = rng.choice(RELATIVES)
    plain = {"DOSE": (dose, dose), "DOSE2": (dose2, dose2), "FREQ": freq, "FREQ2": freq2, "REL": rel,
             "YEAR": (y := rng.choice(YEARS), y), "N": (n := str(rng.randint(2, 14)), n), "AGE": (a := str(rng.randint(38, 80)), a)}
    pieces = SLOT_RE.split(en)
    text = ""
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            text += piece
            continue
        if piece in values:
            term_en = values[piece][0]
            if not text:  # sentence-initial: capitalise, the span keeps its text
                term_en = term_en[0].upper() + term_en[1:]
            spans.append((len(text), len(text) + len(term_en), LABELS[values[piece][2]], values[piece][3]))
            text += term_en
        else:
            value = plain[piece][0]
            text += value[0].upper() + value[1:] if not text else value
    fr_text = SLOT_RE.sub(lambda m: values[m.group(1)][1] if m.group(1) in values else plain[m.group(1)][1], fr)
    fr_text = fr_text[0].upper() + fr_text[1:]
    return text, spans, fr_text


def make_note(rng, idx):
    specialty = rng.choice(SPECIALTIES)
    used = set()
    sections = [s for s in SECTION_ORDER if s in ("cc", "hpi", "assessment", "plan") or rng.random() < 0.75]
    text = ""
    spans, translations, section_spans = [], [], []
    for sec in sections:
        header = rng.choice(HEADERS[sec])
        start = len(text)
        text += header + ("\n" if rng.random() < 0.5 else " ")
        lo, hi = SENTS_PER_SECTION[sec]
        templates = rng.sample(T[sec], min(len(T[sec]), rng.randint(lo, hi)))
        for j, template in enumerate(templates):
            sent, sent_spans, fr = fill(rng, template, specialty, used)
            offset = len(text)
            spans.extend((s + offset, e + offset, lab, asr) for s, e, lab, asr in sent_spans)
            if rng.random() < 0.3:
                translations.append({"start": offset, "end": offset + len(sent), "fr": fr})
            text += sent + (" " if j < len(templates) - 1 else "")
        section_spans.append({"start": start, "end": len(text), "label": sec})
        text += "\n\n"
    text = text.rstrip() + "\n"
    return {
        "id": f"sample-{idx:04d}",
        "text": text,
        "spans": [{"start": s, "end": e, "label": lab, "assertion": asr} for s, e, lab, asr in spans],
        "cats": {s: float(s == specialty) for s in SPECIALTIES},
        "meta": {"sections": section_spans, "translations": translations},
    }


def write_sample(output_dir: Path, n: int = 300, seed: int = 13, echo=print) -> None:
    """Write train/dev/test.jsonl of ``n`` invented notes (deterministic for a seed)."""
    rng = random.Random(seed)
    notes = [make_note(rng, i) for i in range(n)]
    n_dev = n_test = n // 8
    splits = {"train": notes[: n - n_dev - n_test], "dev": notes[n - n_dev - n_test: n - n_test], "test": notes[n - n_test:]}
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in splits.items():
        with open(output_dir / f"{name}.jsonl", "w", encoding="utf8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        echo(f"{name}: {len(rows)} notes, {sum(len(r['spans']) for r in rows)} entities")

