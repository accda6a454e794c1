"""A found address grows to the whole address: house number, city/state/postcode, the lines below."""
import pytest
import spacy

from spacy_medllm.deid.address import grow_locations


def phi(text, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config=config)
    doc = nlp(text)
    return [span.text for span in doc.spans["phi"] if span.label_ == "LOCATION"]


@pytest.mark.parametrize("text,address", [
    ("He lives at 123 Main Street, Boston, MA 02114. SSN follows.", "123 Main Street, Boston, MA 02114"),
    ("Sent to 731 ul. Miła 57 Apt. 819 Rzeszów Poland. It came back.", "731 ul. Miła 57 Apt. 819 Rzeszów Poland"),
    ("Letter to 654 Rua Ana Caciola 1159, ΣΤΡΟΒΟΛΟΣ, Cyprus (Greek) last night.",
     "654 Rua Ana Caciola 1159, ΣΤΡΟΒΟΛΟΣ, Cyprus (Greek)"),
    ("Meet at 9858 92 Hounslow Rd today", "9858 92 Hounslow Rd"),  # a number written before the street
    ("Chiclana at Calle Real 12 de la Frontera", "Calle Real 12"),  # particles alone do not make a place
    # the street name of any script before a number and unit, and the postcode before it
    ("Our offices are at 06111 Μεγάλη Άμμος 198 Apt. 822 ΠΑΦΟΣ PA", "06111 Μεγάλη Άμμος 198 Apt. 822 ΠΑΦΟΣ PA"),
    ("Sofie lives on 69 Av Sidi Lakhmi street.", "69 Av Sidi Lakhmi"),
    # a corner is one address: the cue, both streets and the "and"
    ("Address:\nthe corner of 3744 Retreat Avenue and Władysława Route.",
     "the corner of 3744 Retreat Avenue and Władysława Route"),
    ("Meet me at the corner of Via Nuova del Campo 85 and Baranyay Mill", "the corner of Via Nuova del Campo 85 and Baranyay Mill"),
])
def test_same_line_tail_and_house_number(text, address):
    assert phi(text) == [address]


@pytest.mark.parametrize("text,address", [
    # a block of short lines that reaches a postcode: every line is the address
    ("Ship to:\n6889 ul. Jarzębinowa 5\nBUNDALAGUAH\n, VIC\n Australia 38837\nThanks",
     "6889 ul. Jarzębinowa 5\nBUNDALAGUAH\n, VIC\n Australia 38837"),
    # quoted mail: the quoting prefix does not stop the block
    ("> 2224 Augsburger Strasse 36\n> Apt. 342\n> TRONDHEIM\n> Norway 64389",
     "2224 Augsburger Strasse 36\n> Apt. 342\n> TRONDHEIM\n> Norway 64389"),
    # no postcode: at most two lines of place words, up to the first line that is not one
    ("363 52 Huntly Street\n Suite 132\n BARMOLLOCH\n United Kingdom?", "363 52 Huntly Street\n Suite 132\n BARMOLLOCH\n United Kingdom?"),
    # a street line above a line that opens with the unit, whatever the street's shape
    ("??? Carly Jones\n??? 53772 Holmatun 45\n??? Suite 757\n??? Iceland 12345",
     "53772 Holmatun 45\n??? Suite 757\n??? Iceland 12345"),
    # a sentence ends at the postcode, or words go on after it: the address ends with the postcode
    ("A taxi to 180 Sahantie 72\nAAPAJÄRVI, LL 34736. Please call me when you are here.",
     "180 Sahantie 72\nAAPAJÄRVI, LL 34736"),
    ("The letter came to 12 Oak Street\n Apt. 271\n Canada 36523 last night.", "12 Oak Street\n Apt. 271\n Canada 36523"),
    # a street and number before a unit on its line
    ("Validate the following: 51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland",
     "51709 Spinatsch 94 Apt. 615 Moosleerau Switzerland"),
])
def test_address_block_on_the_next_lines(text, address):
    assert phi(text) == [address]


@pytest.mark.parametrize("text,kept", [
    # a field label, a sentence, a blank line end the block
    ("Address: 12 Oak Street\nHISTORY OF PRESENT ILLNESS: chest pain.", "HISTORY OF PRESENT ILLNESS"),
    ("12 Oak Street\nShe was seen today and denies chest pain.\n02114", "denies chest pain"),
    ("12 Oak Street\n\nPlan\nAspirin 81", "Plan\nAspirin 81"),
    # a line of clinical words above a unit is no street
    ("Seen in clinic 3\nSuite 400 was closed.", "Seen in clinic 3"),
    # a town alone does not take the short lines under it; only a street (with a number) does
    ("Patient lives in Springfield\nROS\nNegative", "ROS\nNegative"),
    # a stop word or clinical word before a number and unit is no street; "corner of" no address
    ("Seen in ICU 3 Apt. 4 was empty.", "Seen in ICU"),
    ("Pain at the corner of the mouth and 12 Oak Street", "the corner of the mouth and"),
    # a facility's name is not an address: the words after it stay
    ("Transferred to Mercy Hospital ICU for Sepsis.", "ICU for Sepsis"),
    # a dash takes a town, not the note's words or numbers after it
    ("Lives at 12 Oak Street - Denies falls.", "- Denies falls"),
    ("Lives at 12 Oak Street - 2 stairs to enter.", "- 2 stairs"),
    ("Lives at 12 Oak Street / Denies falls.", "/ Denies falls"),  # a slash takes a state's two capitals only
    # units of insulin are no Hungarian street ("u." without a house number's point)
    ("Lantus u. 15 at bedtime.", "Lantus u. 15"),
])
def test_growth_stops_where_the_address_ends(text, kept):
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    assert kept in nlp(text)._.deidentified


@pytest.mark.parametrize("text,address", [
    # an unknown word with a house number beside it and a postcode after it is a street, in any language
    ("Home address on file: Carolin-Schuchhardt-Platz 6/2, 50612 Vohenstrauß", "Carolin-Schuchhardt-Platz 6/2, 50612 Vohenstrauß"),
    ("Please forward the records to Szerbtóti utca 48., H-9792 Békésmártonnádasd.", "Szerbtóti utca 48., H-9792 Békésmártonnádasd"),
    ("New address al. Jana III Sobieskiego 93/28\n61-645 Turek, effective next month.", "al. Jana III Sobieskiego 93/28\n61-645 Turek"),
    ("Home address on file: 4328 Clarence Ithafa, Upington, 9110", "4328 Clarence Ithafa, Upington, 9110"),
    ("Home address on file: Τραγάνας 28, ΤΚ 921 74 Γρεβενά", "Τραγάνας 28, ΤΚ 921 74 Γρεβενά"),
    # a postcode opening a segment before a town, and the street written before it
    ("Contact the family at Katja-Kocher-Weg 2/9, 8926 Traiskirchen if needed.", "Katja-Kocher-Weg 2/9, 8926 Traiskirchen"),
    ("Home address on file: Nad Rokytkou 709\n492 90 Bystré", "Nad Rokytkou 709\n492 90 Bystré"),
    # a house number with its comma, a floor before the street, a British postcode in two halves
    ("Please forward the records to 23/286, Bhatt Nagar, Gudivada-404796.", "23/286, Bhatt Nagar, Gudivada-404796"),
    ("Please forward the records to Level 3, 89 Rodgers Ridge, Maungakiwi 5337.", "Level 3, 89 Rodgers Ridge, Maungakiwi 5337"),
    ("Please forward the records to 34 Marsh Walk, Emilyhaven, OX58 9JP.", "34 Marsh Walk, Emilyhaven, OX58 9JP"),
    # an article elided onto the street's name; "Str." after it
    ("She lives at Rue d'Alsace 5, Paris.", "Rue d'Alsace 5, Paris"),
    ("Records to Via dell’Orso 12, Milano.", "Via dell’Orso 12, Milano"),
    ("Juliusz lives at 136 Filadelfeos Str., Klirou", "136 Filadelfeos Str., Klirou"),
    # a flat before the house number ("8/3"), a house number's Cyrillic letter, a comma after the number
    ("Contact the family at 8/3 Linda Piazza\nEast Sean, NT, 2480 if needed.", "8/3 Linda Piazza\nEast Sean, NT, 2480"),
    ("Home address on file: Бриселска 2а\n92174 Виница", "Бриселска 2а\n92174 Виница"),
    ("New address 461, boulevard de Khaled, Amizour, Saïda.", "461, boulevard de Khaled, Amizour, Saïda"),
    ("New address Los Quillayes 2266, Curarrehue, effective next month.", "Los Quillayes 2266, Curarrehue"),  # an article first
    # a town in capitals with its state and zip, as envelopes write it; an address below its cue
    ("Return envelope:\nGRASSE, PA 39551 in case of an issue.", "GRASSE, PA 39551"),
    ("Address:\n376 Rákóczi út 13. Suite 104 Veszprém VE.", "376 Rákóczi út 13. Suite 104 Veszprém VE"),
    ("Address on file: Tovuz ray., Goran qəsəbəsi, b. 1, m. 42", "Tovuz ray., Goran qəsəbəsi, b. 1, m. 42"),
])
def test_street_laid_out_with_number_and_postcode(text, address):
    assert phi(text) == [address]


@pytest.mark.parametrize("text,address", [
    # a flat, floor or building after the house number, the number after its own word, as languages write them
    ("Contact the family at Stretto Faugno, 38 Piano 4\n33043, Purgessimo (UD) if needed.",
     "Stretto Faugno, 38 Piano 4\n33043, Purgessimo (UD)"),
    ("She was discharged home to Bulevardul Gregorian Stănescu Nr. 92 Bl. 59  Sc. 32 Ap. 217\nTufesti, 779290 with her daughter.",
     "Bulevardul Gregorian Stănescu Nr. 92 Bl. 59  Sc. 32 Ap. 217\nTufesti, 779290"),
    # the street's kind in place of a house number; the street before a town as its own segment
    ("New address rue de Merle\n86376 Fernandez, effective next month.", "rue de Merle\n86376 Fernandez"),
    ("Home address on file: Strada Dochioiu, Tomesti, 992152", "Strada Dochioiu, Tomesti, 992152"),
    ("Home address on file: 345 boulevard Andrée, Lac- Plourde, BC K1E 8A8", "345 boulevard Andrée, Lac- Plourde, BC K1E 8A8"),
    ("Home address on file: 14656 allé Tessier, Beaulieu, ON M1C 4V2", "14656 allé Tessier, Beaulieu, ON M1C 4V2"),
    ("Please forward the records to pl. Powstańców Śląskich 46/81\n91-261 Racibórz.", "pl. Powstańców Śląskich 46/81\n91-261 Racibórz"),
    # a line below the street that goes on after its postcode; postcodes of two words; a postcode before a prefixed town
    ("New address 3933 Beatrice Plaza\nLake Getrude, FM 63745, effective next month.", "3933 Beatrice Plaza\nLake Getrude, FM 63745"),
    ("New address 14 Rice Brook\nEast Rhyston\nIM66 9HL, effective next month.", "14 Rice Brook\nEast Rhyston\nIM66 9HL"),
    ("Contact the family at 81 Cahir Street Y39 9YTY Helen Ville if needed.", "81 Cahir Street Y39 9YTY Helen Ville"),
    ("New address Margret-Schmidt-Platz 7283\n91601 Bad Kissingen, effective next month.",
     "Margret-Schmidt-Platz 7283\n91601 Bad Kissingen"),
    # street kinds after the name, abbreviations inside an address, a street ending a line above its unit
    ("6614 Luite tee 87\n Apt. 931\n Salumäe\n Estonia 62031", "6614 Luite tee 87\n Apt. 931\n Salumäe\n Estonia 62031"),
    ("12521 Belgrád rkp. 18. Apt. 417 Csipkerek Vas", "12521 Belgrád rkp. 18. Apt. 417 Csipkerek Vas"),
    ("It's in 0269 Stensås terrasse 38\n Suite 621\n ARENDAL\n Norway", "0269 Stensås terrasse 38\n Suite 621\n ARENDAL\n Norway"),
    ("Office:\n2274 Via delle Coste 41\nApt. 322\nColle Di Tora\nItaly 95787", "2274 Via delle Coste 41\nApt. 322\nColle Di Tora\nItaly 95787"),
    # a corner whose first street the rules took for a name
    ("My new address is the corner of 159 Eleftheriou Venizelou str and Rennie Union",
     "the corner of 159 Eleftheriou Venizelou str and Rennie Union"),
    ("It's in the corner of 35 Pentelis Str. and Waechter Turnpike", "the corner of 35 Pentelis Str. and Waechter Turnpike"),
    ("Meet at the corner of Csabai kapu 39. and Mathias Pass", "the corner of Csabai kapu 39. and Mathias Pass"),
    # ... or whose second street it took for a name; a Dutch particle in a street's name
    ("Send it to the corner of Postbox 21 and Elisabeth Parks", "the corner of Postbox 21 and Elisabeth Parks"),
    ("Address:\nthe corner of 74 Sikelianou Street and ten Pas Pass.", "the corner of 74 Sikelianou Street and ten Pas Pass"),
    # two streets without house numbers, after "corner of" or "intersection of"
    ("He fell at the corner of Main Street and 5th Avenue.", "the corner of Main Street and 5th Avenue"),
    ("Struck by a car at the intersection of Route 9 and Maple Rd.", "the intersection of Route 9 and Maple Rd"),
    # Galician and Catalan street kinds
    ("Please send the card to Rúa do Paseo 46?", "Rúa do Paseo 46"),
    ("Her flat is on Avinguda Diagonal 640 now.", "Avinguda Diagonal 640"),
    # lower-case words between a street's kind and its name
    ("New address 26 rue des lieutenants Thomazo, Paris", "26 rue des lieutenants Thomazo, Paris"),
    # Mexican street kinds, an exterior and an interior number; "No." before the number
    ("New address Calzada Zambia 146 730, Nueva Guinea Bissau, SLP 15275, effective next month.",
     "Calzada Zambia 146 730, Nueva Guinea Bissau, SLP 15275"),
    ("New address Jl. Veteran No. 6\nMojokerto, Sulawesi Barat 04940, effective next month.",
     "Jl. Veteran No. 6\nMojokerto, Sulawesi Barat 04940"),
    # a town after a dash
    ("New address 457 avenue de Hamdi - Arzew, effective next month.", "457 avenue de Hamdi - Arzew"),
    # words taken for a name after "at" and a house number (two numbers: a building's before the street's)
    ("She lives at 214 Pavlou Drandaki.", "214 Pavlou Drandaki"),
    ("The restaurant is at 9816 214 Pavlou Drandaki", "9816 214 Pavlou Drandaki"),
    # Hungarian: the kind after the name, lower-case words of the name, the house number with a point
    ("The bus drops you off at 518 Árpád fejedelem útja 62. St.", "518 Árpád fejedelem útja 62"),
    ("Her office is on Szabadság u. 15.", "Szabadság u. 15"),
    ("Send it to Petőfi Sándor út 3., Budapest.", "Petőfi Sándor út 3"),
    ("The office is at Ilona and Király u. 15.", "Király u. 15"),  # a name and "and" before it are no part of it
    # Brazil: the CEP before the town, the state after a slash
    ("New address Rua das Flores, 56\nCentro\n93824-219 Campinas / SP, effective next month.",
     "Rua das Flores, 56\nCentro\n93824-219 Campinas / SP"),
    ("New address Rua das Flores, 56, Centro, 93824219 Campinas / SP, effective next month.",
     "Rua das Flores, 56, Centro, 93824219 Campinas / SP"),
    # a street kind, a common word and a number at the end of a sentence
    ("She lives on Avenida Central 12.", "Avenida Central 12"),
])
def test_address_layouts_of_many_countries(text, address):
    assert phi(text) == [address]


def test_a_block_ends_at_its_postcode():
    """The line under the postcode (a phone with its kind) is no part of the address."""
    text = "Contact:\n12 Hill Road\n Leeds\n United Kingdom 34796\n(37) 788-063-Office\\,07700 900 123-Fax"
    assert phi(text) == ["12 Hill Road\n Leeds\n United Kingdom 34796"]


def test_house_number_after_its_own_word_and_the_street_kind_before():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    text = "She was discharged home to ст. Тура, ул. Парковая, д. 13, 579383 with her daughter."
    doc = nlp(text)
    assert "ул. Парковая, д. 13, 579383" in [s.text for s in doc.spans["phi"] if s.label_ == "LOCATION"]
    assert "Тура" not in doc._.deidentified and "579383" not in doc._.deidentified


@pytest.mark.parametrize("text", [
    "Seen by Dr. Smith\nSeen in 2019, doing well.",  # a year on the next line is no postcode
    "Dr. Carrera, 3 days ago, 12345 units given.",  # a surname that is also a street's kind, with numbers after it
    "Ms. Strada, MRN 4455667, was seen today.",
    "Address:\nPhone: 555-0100 is on file.",  # an empty address field takes nothing from the next line
    "PLAN, PA 2 views of the chest.",  # capitals and a state code need a zip code after them
    "Erythema at the corner of the mouth and lip.",  # a corner of the body
    "Erythema at the corner of the Mouth and lips.",
    "Pulmonary vascular resistance was normal at 1 Wood units.",  # a unit after a number is no street
])
def test_layouts_need_the_whole_shape(text):
    assert phi(text) == []


@pytest.mark.parametrize("text,town", [
    # a town's prefix or a particle only place names hold, before or after a word found with no cue
    ("Transferred from a hospital in East Danielfort.", "East Danielfort"),
    ("Retired teacher from South Amy, lives alone.", "South Amy"),
    ("She grew up in Ústí nad Labem.", "Ústí nad Labem"),
    ("Visiting from Mühldorf am Inn for the summer.", "Mühldorf am Inn"),
    # a town's article or kind of settlement
    ("Moved to La Plata last year.", "La Plata"),
    ("She grew up in La Rioja.", "La Rioja"),  # the article is a place word, though notes write "la" in lower case
    ("She grew up in г. Северо-Курильск.", "г. Северо-Курильск"),
    ("Lives in с. Тикси with her husband.", "с. Тикси"),
    ("Moved to TP. Cần Thơ last year.", "TP. Cần Thơ"),  # Vietnamese vowels: words no list knows
    # a town's postcode after it, a district's letter between ("København K")
    ("Looking to work in Quinta de São Tiago 3610-114 next year.", "Quinta de São Tiago 3610-114"),
    ("She works for a firm in København K 1421 now.", "København K 1421"),
])
def test_town_prefix_and_place_particle(text, town):
    assert phi(text) == [town]


@pytest.mark.parametrize("text,town", [
    # a town alone on the line above a country alone: an address block's last lines
    ("Przemek Kucharski\n\nALFRICK\nUnited Kingdom", "ALFRICK"),
    ("Return to sender:\n  Hundshagen,\n  Austria 4020", "Hundshagen"),
])
def test_town_above_its_country(text, town):
    assert any(town in found for found in phi(text))


@pytest.mark.parametrize("text", [
    "FOLLOW UP\nJapan",  # known words above a country are no town
    "Brahmsville\nJapan was next.",  # a country that goes on into a sentence
])
def test_town_above_a_country_needs_both_lines_alone(text):
    assert phi(text) == []


def test_a_cued_name_is_no_town_and_a_town_takes_no_words_after_it():
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid")
    doc = nlp("Seen with Dr. Jones im Krankenhaus. NYHA class per the South Amy Heart Association Class II.")
    assert ("NAME", "Jones") in {(s.label_, s.text) for s in doc.spans["phi"]}
    assert ("LOCATION", "South Amy") in {(s.label_, s.text) for s in doc.spans["phi"]}
    assert "Heart Association Class II" in doc._.deidentified


@pytest.mark.parametrize("text", [
    "MRN: 123456 Smith, John was seen.",  # an ID before a name is no postcode opening a segment
    "Seen by Dr Smith 3/12, 2019 Jones follow-up",  # a date after a name: a year is no postcode
    "Ms Kowalczyk 45, lives alone.",  # a name and an age: a number but no postcode
])
def test_names_beside_numbers_stay_names(text):
    assert phi(text) == []


def test_no_location_no_growth():
    text = "Seen for Chest Pain, Shortness Of Breath 2020\nFever\nCough 12345"
    spans = [(0, 4, "NAME", "model", 0.9)]
    assert grow_locations(text, spans) == spans
    assert phi(text) == []


def test_growth_can_be_turned_off_and_is_saved(tmp_path):
    text = "He lives at 123 Main Street, Boston, MA 02114."
    assert phi(text, grow_addresses=False) == ["123 Main Street", "Boston, MA 02114"]
    nlp = spacy.blank("en")
    nlp.add_pipe("medllm_deid", config={"grow_addresses": False})
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    doc = loaded(text)
    assert [s.text for s in doc.spans["phi"]] == ["123 Main Street", "Boston, MA 02114"]
