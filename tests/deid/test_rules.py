"""The PHI rules per category: positives, and the clinical words that must stay."""
import pytest

from .conftest import NOTE, PHI


def found(nlp, text):
    doc = nlp(text)
    return {(span.label_, span.text) for span in doc.spans["phi"]}


def test_every_phi_value_of_the_note_is_found_with_its_label(deid_nlp):
    doc = deid_nlp(NOTE)
    spans = {(s.label_, s.text) for s in doc.spans["phi"]}
    for label, values in PHI.items():
        for value in values:
            assert (label, value) in spans, (label, value)
    assert all(s.kb_id_ for s in doc.spans["phi"])  # the rule name
    assert doc.spans["phi"].attrs["scores"] == [1.0] * len(doc.spans["phi"])


@pytest.mark.parametrize("text,label,value", [
    ("Signed by Maria Lopez, MD", "NAME", "Maria Lopez"),
    ("Electronically signed by Kevin O'Brien", "NAME", "Kevin O'Brien"),
    ("Attending: Chen, Wei", "NAME", "Chen, Wei"),
    ("Ms. Garcia-Lopez was seen today.", "NAME", "Garcia-Lopez"),
    ("Accompanied by his daughter Susan.", "NAME", "Susan"),
    ("Seen 3/14 for follow up.", "DATE", "3/14"),
    ("Admitted 12-01-19, discharged 12/5/2019.", "DATE", "12-01-19"),
    ("Surgery on 5th of March 2018.", "DATE", "5th of March 2018"),
    ("Last seen in Sept 2021.", "DATE", "Sept 2021"),
    ("Age: 102.", "AGE", "102"),
    ("A 91-year-old woman.", "AGE", "91"),
    ("Transferred from St. Mary's Medical Center.", "LOCATION", "St. Mary's Medical Center"),
    ("Lives at 42B Oak Ave, Apt 3.", "LOCATION", "42B Oak Ave, Apt 3"),
    ("Address: PO Box 1234.", "LOCATION", "PO Box 1234"),
    ("Fax: 617.555.0199", "CONTACT", "617.555.0199"),
    ("Desk: +447700 921 916 today", "CONTACT", "+447700 921 916"),
    ("See https://portal.example.org/chart?id=5 for results.", "CONTACT", "https://portal.example.org/chart?id=5"),
    ("Acct # 00293847-B", "ID", "00293847-B"),
    ("Health plan ID: XJH884412", "ID", "XJH884412"),
    ("License number D1234567.", "ID", "D1234567"),
    ("Device serial number SN-44821-77", "ID", "SN-44821-77"),
    # other countries' shapes: numbers after a phone cue, name-then-number streets, units, accents
    ("Mobile: 0490 39 07 81 today", "CONTACT", "0490 39 07 81"),
    ("Can someone call me on 9472 7916?", "CONTACT", "9472 7916"),
    ("Fax: 345-899-3560x4587", "CONTACT", "345-899-3560x4587"),
    ("Office: +447700 208 815-Fax", "CONTACT", "+447700 208 815"),
    ("She lives at Rua Igreja 25 with her son.", "LOCATION", "Rua Igreja 25"),
    ("Sent to Augsburger Strasse 36 yesterday.", "LOCATION", "Augsburger Strasse 36"),
    ("Søndergade 52, Apt. 656", "LOCATION", "Søndergade 52"),
    ("Søndergade 52, Apt. 656", "LOCATION", "Apt. 656"),
    ("Please return to Unit 5477 Box 8244 DPO AP 15730.", "LOCATION", "Unit 5477 Box 8244"),
    ("Please return to Unit 5477 Box 8244 DPO AP 15730.", "LOCATION", "DPO AP 15730"),
    ("The unit is moving that way, says Hauta-aho.", "NAME", "Hauta-aho"),
    ("My name is Iva D. Grusová, I called earlier.", "NAME", "Iva D. Grusová"),
    ("Name: Iva D. Grusová Address: PSC 66", "NAME", "Iva D. Grusová"),
    ("Name:    Fredrik L Sommerseth Address: 83393", "NAME", "Fredrik L Sommerseth"),
    ("Personal Info:\nPhone:\n21 284 698 2548\n", "CONTACT", "21 284 698 2548"),
    # letters of every alphabet names are written in, and surnames of particles
    ("Spoke with Веніямин Ґоляш about the results.", "NAME", "Веніямин Ґоляш"),
    ("Next of kin: Милена Јовчева", "NAME", "Милена Јовчева"),
    ("Ηρόδοτος-Γιάννης Χατζησαββίδης called.", "NAME", "Ηρόδοτος-Γιάννης Χατζησαββίδης"),
    ("Her sister Mădălina Nemeș visited today.", "NAME", "Mădălina Nemeș"),
    ("Spoke with Nəriman Xakimov about the results.", "NAME", "Nəriman Xakimov"),
    ("Seen together with Joey van de Wal in clinic.", "NAME", "Joey van de Wal"),
    ("Next of kin: Dirk Van de Velde", "NAME", "Dirk Van de Velde"),
    # cues of everyday speech, a country code in brackets or with a trunk "(0)", the kind after the number
    ("Please call her daughter at 0580-730215 after discharge.", "CONTACT", "0580-730215"),
    ("He can be reached on 4580 7302.", "CONTACT", "4580 7302"),
    ("Daughter's number: (+30) 6973 681930", "CONTACT", "(+30) 6973 681930"),
    ("Her cell is +(370) 40562241, evenings only.", "CONTACT", "+(370) 40562241"),
    ("Callback number 8 (877) 893-28-79", "CONTACT", "8 (877) 893-28-79"),  # a trunk digit before the area code
    ("Her cell is +90(877)893-2879x217, evenings only.", "CONTACT", "+90(877)893-2879x217"),  # an extension
    ("Callback number +33 (0)5 08 73 68 19", "CONTACT", "+33 (0)5 08 73 68 19"),
    # after a cue that names a phone, the 3-3-4 grouping of other countries and an area code in brackets
    ("Her cell is 062-877-8932, evenings only.", "CONTACT", "062-877-8932"),
    ("Callback number (04701) 74681", "CONTACT", "(04701) 74681"),
    ("Wife (phone 001-612-799-7220x03322) was updated.", "CONTACT", "001-612-799-7220x03322"),
    ("Her number was 45/807 3021.", "CONTACT", "45/807 3021"),
    ("Numbers: 21 253 109 8211-Office, 617-555-0182 (cell)", "CONTACT", "21 253 109 8211"),
    ("name:    hyuuma t. maida\naddress: unit 4", "NAME", "hyuuma t. maida"),
    ("Seen Thursday in clinic.", "DATE", "Thursday"),
    ("Admitted 3-Mar-2019 to the ward.", "DATE", "3-Mar-2019"),
    ("Discharged 05-MAR-19.", "DATE", "05-MAR-19"),
    ("Echo on 2019/03/04 was normal.", "DATE", "2019/03/04"),
    ("Last colonoscopy 03/2019, normal.", "DATE", "03/2019"),
    ("Patient: SMITH, JOHN", "NAME", "SMITH, JOHN"),
    ("JOHN A. SMITH presented with cough.", "NAME", "JOHN A. SMITH"),
    ("Pt's husband Robert at bedside.", "NAME", "Robert"),
    ("Lic # MD12345", "ID", "MD12345"),
    ("Dictated by: J. Smith, MD", "NAME", "J. Smith"),
    ("Discussed with A. B. Kowalczyk today.", "NAME", "A. B. Kowalczyk"),
    ("Daughter Emily at bedside.", "NAME", "Emily"),
    ("Pt seen with interpreter Ana.", "NAME", "Ana"),
    ("Patient is aged ninety-two.", "AGE", "ninety-two"),
    ("Transferred from St. Elizabeth's overnight.", "LOCATION", "St. Elizabeth's"),
    ("She works at a pharmacy on Main St. downtown.", "LOCATION", "Main St."),
    ("Lives on Marina Fort Street.", "LOCATION", "Marina Fort Street"),
    ("SW: Jane Doe met with the family.", "NAME", "Jane Doe"),
    ("Case manager: Robert Lee, RN", "NAME", "Robert Lee"),
    ("Moved here from Worcester, Massachusetts in 2001.", "LOCATION", "Worcester"),
    ("A 22 year old man who grew up in Poznań.", "LOCATION", "Poznań"),
    ("Flew to Lagos last month, no sick contacts.", "LOCATION", "Lagos"),
    ("PATIENT LIVES IN ESPOO. NO SICK CONTACTS.", "LOCATION", "ESPOO"),
    ("She is originally from Mexico and lives in Dayton.", "LOCATION", "Dayton"),
    ("Maria Lopez lives with her son.", "NAME", "Maria Lopez"),
    ("Hi Vinicio, your results are back.", "NAME", "Vinicio"),
    # report headers in capitals, names before the record number, referrals, transcribers' initials
    ("MEDICAL RECORD #: 8887180", "ID", "8887180"),
    ("ACCOUNT NO. 00293847", "ID", "00293847"),
    ("PATIENT NAME: SWEENEY, VICTORIA\n", "NAME", "SWEENEY, VICTORIA"),
    ("PATIENT NAME: SHAW, AMANDA  Follow up in 3 months.", "NAME", "SHAW, AMANDA"),
    ("PRIMARY CARE PHYSICIAN: Mark Coleman\n", "NAME", "Mark Coleman"),
    ("SURGEON: Lauren Goodman, MD", "NAME", "Lauren Goodman"),
    ("Maldonado, Sean MRN 6507529", "NAME", "Maldonado, Sean"),
    ("DOE, JANE  DOB: 01/02/1950", "NAME", "DOE, JANE"),
    ("Thank you for referring Kowalczyk to our clinic.", "NAME", "Kowalczyk"),
    ("He follows with Baird-Moss at the clinic.", "NAME", "Baird-Moss"),
    ("Transcribed by: jag\n", "NAME", "jag"),
    ("He was admitted to Reyes General on 04/27/2008.", "LOCATION", "Reyes General"),
    ("She was transferred to Saint Tracy General for further care.", "LOCATION", "Saint Tracy General"),
    ("She lives alone in Parkermouth.", "LOCATION", "Parkermouth"),
    ("Bayamon, PR 00961", "LOCATION", "Bayamon, PR 00961"),
    ("92M with dyspnea.", "AGE", "92"),
    ("Pt is a 93 yo F presenting with falls.", "AGE", "93"),
    ("Pager 34567", "CONTACT", "34567"),
    ("Please page me at 12345.", "CONTACT", "12345"),
    ("Admitted Christmas Eve with chest pain.", "DATE", "Christmas Eve"),
    ("Followed at Dana-Farber Cancer Institute.", "LOCATION", "Dana-Farber Cancer Institute"),
    ("Lives with her daughter in Quincy.", "LOCATION", "Quincy"),
    ("Seen by Dr. van der Berg.", "NAME", "van der Berg"),
    ("Medicare # 1EG4-TE5-MK73", "ID", "1EG4-TE5-MK73"),
    ("Points won on credit card 060426070011 last month.", "ID", "060426070011"),  # any length after the cue
    ("Unit #: 3456789", "ID", "3456789"),
    ("Returns 2/14 for suture removal.", "DATE", "2/14"),
    ("PATIENT NAME: HUGHES, CRYSTAL  DOB: Jun 09, 1970", "NAME", "HUGHES, CRYSTAL"),
    ("Unit #: 56393377 Rodriguez, Philip  MRN: 50706738", "NAME", "Rodriguez, Philip"),
    ("Transcribed by: kt Echocardiogram showed an EF of 55%.", "NAME", "kt"),
    # any country's postcode after a cue, streets that open on their kind, ships, forms
    ("ZIP: 7412 SL", "LOCATION", "7412 SL"),
    ("My zip code is 3910", "LOCATION", "3910"),
    # IDs: a cue with "is", a 12-digit card after a card cue, an IBAN in lower case whose check digits hold
    ("My driver's license number is 5130634", "ID", "5130634"),
    ("What is the limit for card 584528792610?", "ID", "584528792610"),
    ("my iban is gb42nawi04454264788619", "ID", "gb42nawi04454264788619"),
    # postcodes of three digits (Iceland), split (Czechia), Brazil's CEP, after a cue
    ("My zip code is 880", "LOCATION", "880"),
    ("ZIP: 394 13", "LOCATION", "394 13"),
    ("My zip code is 90010-170", "LOCATION", "90010-170"),
    ("They're not answering at 516 466 638", "CONTACT", "516 466 638"),
    ("He lives at 119 Countess Close", "LOCATION", "119 Countess Close"),  # the street words of Britain and Australia
    ("Postcode: SW1A 1AA", "LOCATION", "SW1A 1AA"),
    ("Sent to 106 Rue Ettatawer yesterday.", "LOCATION", "106 Rue Ettatawer"),
    ("Lives at 12 rue de la Paix with her son.", "LOCATION", "12 rue de la Paix"),
    ("New address is USS Lorenzen\nFPO AE 25990", "LOCATION", "USS Lorenzen"),
    ("address: unit 4526 box 0671\ndpo ap 40902", "LOCATION", "unit 4526 box 0671"),
    ("What's your last name? Magnusson", "NAME", "Magnusson"),
    # names and places no list knows, with no cue (names.py: known words)
    ("Vsevolod is very reliable.", "NAME", "Vsevolod"),
    ("Wisława Szczepańska's killers were caught.", "NAME", "Wisława Szczepańska's"),
    ("She moved to Chiclana de la Frontera last year.", "NAME", "Chiclana de la Frontera"),
    ("He lives on Grössgstötten 50 street.", "LOCATION", "Grössgstötten 50"),
    ("Send it to Denmark 35018 please.", "LOCATION", "Denmark 35018"),
    ("Mohmad R. Vizirov signed the form.", "NAME", "Mohmad R. Vizirov"),
    ("Seen by Dr. DeVito today.", "NAME", "DeVito"),  # a surname's particle written onto it
    ("Discussed with LaToya Jackson.", "NAME", "LaToya Jackson"),
    ("Meet me at the corner of Main St. and Herceg Gateway.", "LOCATION", "Main St. and Herceg Gateway"),
    ("Looking to support Slashdb in ARENDAL 4844 this year.", "LOCATION", "ARENDAL 4844"),
    ("The next year at Ngap Inc in KATRINEHOLM, which later grew.", "LOCATION", "KATRINEHOLM"),
    ("Stop sending messages to 0688 872 49 99 please.", "CONTACT", "0688 872 49 99"),
    ("Her home: 0688 872 49 99.", "CONTACT", "0688 872 49 99"),
    ("Originally from ΕΓΚΩΜΗ, she moved.", "NAME", "ΕΓΚΩΜΗ"),  # the ohm sign as faker writes omega
    ("Her friend Мария Иванова called.", "NAME", "Мария Иванова"),
    ("Discharged to Sunrise Manor nursing home.", "LOCATION", "Sunrise Manor nursing home"),
    ("She moved from Ohio to Tempe last year.", "LOCATION", "Tempe"),
    ("Call the floor at x4521 with results.", "CONTACT", "x4521"),
    ("Reach the clinic, extension 2210.", "CONTACT", "2210"),
    ("Admitted to UCSF Benioff Children's Hospital.", "LOCATION", "UCSF Benioff Children's Hospital"),
    ("Patient resides at Brookdale Senior Living.", "LOCATION", "Brookdale Senior Living"),
    # a given name, a surname and an age are a person; a street named for someone stays a street
    ("Father: Leonard Goldstein, 78, alive with CAD.", "NAME", "Leonard Goldstein"),
    ("She lives on Joaquin Suarez 2906 now.", "LOCATION", "Joaquin Suarez 2906"),
    ("Thank you,\nMark Young\nPhysician Assistant", "NAME", "Mark Young"),  # a letter's signature
    ("She studied journalism at the University of BASHALL TOWN.", "LOCATION", "University of BASHALL TOWN"),
    # the typographic apostrophe of word processors
    ("Patient: Mary O’Connor-Smith", "NAME", "Mary O’Connor-Smith"),
    ("She was transferred to St. Luke’s Episcopal Hospital.", "LOCATION", "St. Luke’s Episcopal Hospital"),
])
def test_rule_positives(text, label, value):
    """Each rule alone: addresses are not grown here (that is test_address.py)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"grow_addresses": False})
    assert (label, value) in found(nlp, text)


@pytest.mark.parametrize("cue", [
    "lives in", "living in", "resides in", "residing in", "moved from", "moved back to", "relocated to", "born in",
    "born and raised in", "grew up in", "raised in", "originally from", "is from", "comes from", "traveled to",
    "travelled from", "flew to", "flew in from", "trip to", "vacationing in", "visiting from", "returned from",
    "home in", "based in", "located in", "native of", "transferred from", "works in", "I'm in", "we are at",
    "returned to", "arrived in", "arriving at", "moving to", "home city of", "headed back to", "flying from", "drove to",
    "hospital in", "clinic in", "woman from", "male from", "patient from", "teacher from"])
def test_every_residence_and_travel_cue_takes_the_town(cue):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"grow_addresses": False})
    for text in (f"The patient {cue} Poznań.", f"THE PATIENT {cue.upper()} POZNAN."):
        doc = nlp(text)
        assert {span.kb_id_ for span in doc.spans["phi"]} == {"place_cued"}, text


@pytest.mark.parametrize("cue", [
    "Nurse", "RN", "SW", "Social worker", "Case manager", "Therapist", "Dietitian", "Pharmacist", "Chaplain", "Scribe",
    "Anesthesiologist", "Anesthesia", "Assistant surgeon", "Ordering provider", "Primary care physician", "Cardiologist",
    "Oncologist", "Doctor", "Spouse", "Mother", "Father", "Wife", "Husband", "Daughter", "Son", "Relative",
    "Dictated by", "Signed by", "Cosigned by", "Attending physician", "Referring doctor", "Consulting physician",
    "Admitting provider", "Treating physician", "Physician", "Surgeon"])
def test_every_care_team_cue_takes_the_name_in_any_case(cue):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    for text in (f"{cue}: Kowalczyk", f"{cue.upper()}: Kowalczyk", f"{cue.lower()}: Kowalczyk"):  # no given name
        assert ("NAME", "Kowalczyk") in found(nlp, text), text


@pytest.mark.parametrize("cue", [
    "MRN", "MR#", "MR", "Medical record number", "Record no.", "Account #", "Acct", "ACCT", "Health plan ID",
    "Beneficiary number", "Member ID", "Policy number", "Insurance ID", "Subscriber ID", "Group number",
    "Licence number", "Lic", "DEA number", "NPI", "DL #", "Driver's license number", "Device serial number",
    "Serial no.", "S/N", "SN", "Lot number", "Certificate #", "Plate number", "VIN", "Passport no.", "Case number",
    "Encounter ID", "Accession number", "Unit no.", "Unit #", "Patient ID", "Card number", "IBAN", "ID",
    "Medicare #", "Medicaid number"])
def test_every_identifier_cue_takes_the_number(cue):
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    texts = [f"{cue}: 4471-2093"]
    if any(c.islower() for c in cue) and cue not in ("Lic", "Acct"):  # words match in any case
        texts.append(f"{cue.upper()}: 4471-2093")
    for text in texts:
        assert ("ID", "4471-2093") in found(nlp, text), text


def test_a_particle_after_a_name_takes_no_lower_case_word(deid_nlp):
    # "de novo", "la belle indifference": particles, but no surname after them
    text = "Mr. Smith de novo thrombosis. Mrs. Jones la belle indifference. Seen with Finn de Beer."
    assert found(deid_nlp, text) == {("NAME", "Smith"), ("NAME", "Jones"), ("NAME", "Finn de Beer")}


@pytest.mark.parametrize("text", [
    "History of Parkinson's disease, Crohn's disease and Alzheimer's dementia.",
    "Foley catheter placed. Apgar scores 8 and 9. Positive Chaddock sign. Babinski negative.",
    "Follow up with Dr. as needed.",
    "He is a 67 year old man, age 89.",
    "In 2019 he had a stroke; since 2015 on metformin.",
    "Take 1/2 tablet of Lasix. BP 120/80, HR 72, pain 5/10. Troponin 0.04.",
    "Seen by Neurology. Patient: Denies chest pain. Attending: Cardiology.",
    "Hemoglobin A1c 7.2 on 3 occasions; TSH 2.5. Glasgow coma scale 15. Hodgkin lymphoma.",
    "Started vancomycin 1.25 g IV every 12 hours; creatinine 1.1 mg/dL; MRI of the brain normal.",
    "Call 911 if symptoms recur. Dose 100-200 mg. Edema +2, reflexes 2+ bilaterally, +1 pedal pulses.",
    "She says Tylenol helps; he said Lasix works. This is Foley catheter day 3.",
    "Office visit: BP 130/80, pulse 72. Phone follow-up in 2 weeks; 3 units of PRBC given.",
    "Patient: ALERT AND ORIENTED X3. HISTORY OF PRESENT ILLNESS: MAY BE DISCHARGED.",
    "Therapist: Discussed goals. Nurse: Assessment completed. Anesthesia: General endotracheal. Assistant: None.",
    "Takes St. John's wort. History of St. Louis encephalitis. Mother Has diabetes; a ninety percent stenosis.",
    "Husband lives nearby. Patient lives alone. Hello Doctor, thanks. Thanks, Team!",
    "Originally from Mexico, born in USA, lives in Texas. Returned from Rehab; came from Cardiology. Lives in IL.",
    "A 45-year-old woman from Guatemala. Patient from Cardiology. Male from Rehab with a fall.",
    "LUE FNF intact, AB CD noted. Pt's husband at bedside. Take 1/2 tablet; pain 5/10; 12/31 of the dose.",
    "General surgery consulted. General appearance: well. Warnings of the Surgeon General. Cardiology General clinic.",
    "The chamber was filled and followed with Viscoat. He sees Cardiology and follows with Physical Therapy.",
    "ANESTHESIOLOGIST: General endotracheal. SURGEON: None. Dictated by: MD\nPatient MRN pending.",
    "CC: Chest pain. Abdomen, GU: normal. Tylenol, PR as needed.",
    "Vitamin D. Kowalczyk maneuver was done. Grade A. Nowak flap healed.",
    "Temp 101F with chills.\n101F, HR 110. A 45M with chest pain. Gave 3 units of PRBC. Pager 5/10 pain.",
    "Zip 1000 mg of tylenol. Postcode unknown. 2 Place holders in room. Name? Unknown.",
    # capitalized words no name list holds but that are no name: eponyms before their noun, a drug
    # before its dose, inflected English, terms and drug stems, a company, a country and a year
    "Hartmann's pouch reversed. Murphy's sign negative. Graves' disease. Spurling's test positive.",
    "Xyzal 5 mg daily. Pedestrians must yield. Angiodysplasia of the colon. Valganciclovir started.",
    "Socialeffort Inc called. He moved to Poland 2015. Takes St. John's wort.",
    "They're not answering. Tanner II breasts. A Bowman probe was used. Standard Bruce protocol.",
    "WBC 12000, CKMB 1200. SURGERY 2015.",
    "Review of HEENT negative. Admitted in PACU. Findings of HELLP syndrome. Transferred to SURGERY.",
    "Pain 0 to 10 scale: 2 3 4. Doses 0.5 1 2 mg. Given 0 100 200 units.",
    # numbers near the phone cues that are no phone: too few digits, a dose, a date, a reading
    "Call the team at 2 pm. Reached at 12 hours. Contact at 120/80 mmHg.",
    # a number, words and a flat's number that are no street line: words of a sentence, known words
    "Given 2 doses in the infusion suite 3. Seen in 2 West suite 4 today. Received 10 units regular insulin apt 3.",
    "Callback number pending. Her number is 5. Given 1 000 units in the office.",
    "He returned to Clinic today and arrived at Emergency. Returned to OR for washout.",
    # a lower-case facility kind after common words; a magnification; a move to a common word
    "Transferred from Outside hospital. Seen at Children's hospital. Magnified at x1000. Moved from Ohio to Rehab.",
    "Thank you,\nPlease Call with questions.\nSincerely,\nInternal Medicine",  # no name after the closing
])
def test_clinical_text_is_not_phi(deid_nlp, text):
    assert found(deid_nlp, text) == set()


@pytest.mark.parametrize("text", [
    "SSN 000-12-3456", "SSN 666-12-3456", "Ref 011-555-0182", "Code gb43nawi04454264788619", "on 02/30/2020", "on 13/01/2020",
    "IP 999.1.1.1", "MRN: pending", "Name: pending",
])
def test_validation_rejects_wrong_shapes(deid_nlp, text):
    assert found(deid_nlp, text) == set()


def test_labels_can_be_selected():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"labels": ["DATE", "ID"]})
    doc = nlp(NOTE)
    assert {s.label_ for s in doc.spans["phi"]} == {"DATE", "ID"}
    assert "John A. Smith" in doc._.deidentified and "[DATE]" in doc._.deidentified


def test_unknown_label_or_strategy_is_refused():
    import spacy

    with pytest.raises(ValueError, match="unknown label"):
        spacy.blank("en").add_pipe("medllm_deid", config={"labels": ["NAMES"]})
    with pytest.raises(ValueError, match="unknown strategy"):
        spacy.blank("en").add_pipe("medllm_deid", config={"strategy": "blur"})


def test_add_rules_extends_and_validates(deid_nlp):
    deid = deid_nlp.get_pipe("medllm_deid")
    assert ("ID", "ZX-99812") not in found(deid_nlp, "Ward code ZX-99812 today")
    deid.add_rules([{"name": "ward_code", "label": "ID", "pattern": r"Ward code (?P<phi>ZX-\d+)"}])
    assert ("ID", "ZX-99812") in found(deid_nlp, "Ward code ZX-99812 today")
    with pytest.raises(ValueError, match="unknown field"):
        deid.add_rules([{"name": "x", "label": "ID", "pattern": "x", "colour": "red"}])
    with pytest.raises(ValueError, match="not a valid regex"):
        deid.add_rules([{"name": "x", "label": "ID", "pattern": "(unclosed"}])
    with pytest.raises(ValueError, match="validate"):
        deid.add_rules([{"name": "x", "label": "ID", "pattern": "x", "validate": "nope"}])
    with pytest.raises(ValueError, match=r"rule 0 \(x\): validator 'country_postcode' needs a named group \(\?P<code>"):
        deid.add_rules([{"name": "x", "label": "LOCATION", "pattern": r"(?P<phi>(?P<country>[A-Z]\w+) \d+)", "validate": "country_postcode"}])
    # a street of unknown words reads its words from the whole match when the rule names no group
    deid.add_rules([{"name": "ward_street", "label": "LOCATION", "pattern": r"Ward at (?P<phi>[A-Z]\w+ \d+)", "validate": "unknown_street"}])
    assert ("LOCATION", "Quillayes 22") in found(deid_nlp, "Ward at Quillayes 22 today")


def test_rules_file_jsonl_names_the_bad_line(tmp_path):
    from spacy_medllm.deid.rules import read_rules

    path = tmp_path / "rules.jsonl"
    path.write_text('{"name": "a", "label": "ID", "pattern": "A\\\\d+"}\n{"name": "b", "label": "ID"\n', encoding="utf8")
    with pytest.raises(ValueError, match=r"rules.jsonl:2"):
        read_rules(path)


@pytest.mark.parametrize("text,label,value", [
    ("olga krylova's killers were sentenced to life in prison", "NAME", "olga krylova's"),
    ("the true gender of frederikke has been under debate for years", "NAME", "frederikke"),
    ("my friend lives in harburg", "LOCATION", "harburg"),
    ("the bus drops you off at 74678 midtvollen 130 st.", "LOCATION", "74678 midtvollen 130 st"),  # its kind after it too
    # a street's kind after a word no list knows is read as a kind ("minik courts")
    ("meet me at the corner of heiligengeistbrücke 77 and minik courts", "LOCATION",
     "the corner of heiligengeistbrücke 77 and minik courts"),
    ("meet me at 2407 tawastintie 6, sé, portugal", "LOCATION", "2407 tawastintie 6, sé, portugal"),  # the country too
    # a street line laid out as house number, name and flat, whatever its case
    ("please send it to 2613 avenida central 1 suite 463", "LOCATION", "2613 avenida central 1 suite 463"),
])
def test_names_and_places_of_a_text_wholly_in_lower_case(deid_nlp, text, label, value):
    assert (label, value) in found(deid_nlp, text)


def test_recasing_keeps_offsets_and_known_words_and_can_be_turned_off():
    import spacy

    from spacy_medllm.deid.rules import recase_lower_text

    text = "pt c/o cp x 2 days, denies sob. seen with her daughter olga krylova in grössgstötten"
    cased = recase_lower_text(text)
    assert len(cased) == len(text) and cased.lower() == text.lower()
    assert "Olga Krylova" in cased and "Grössgstötten" in cased and "pt c/o cp x 2 days, denies sob. seen with her" in cased
    assert recase_lower_text("Seen with olga krylova") == "Seen with olga krylova"  # one capital: as written
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"recase_lower": False})
    assert found(nlp, "the true gender of frederikke has been under debate") == set()
    assert nlp.get_pipe("medllm_deid").cfg["recase_lower"] is False
    assert found(nlp, "patient denies chest pain, fever or chills; lungs clear, no edema") == set()


def test_phone_kind_after_a_list_comma_without_space():
    """"...-Office,3660170548-Fax": the second number is found (the span takes its whole token);
    a thousands separator is no list comma."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"grow_addresses": False})
    spans = found(nlp, "Numbers: 085 175 7641-Office\\,3660170548-Fax")
    assert any(label == "CONTACT" and "3660170548" in text for label, text in spans)
    assert not found(nlp, "Total 1,234,567-home")
