#!/usr/bin/python3
"""Build sql/data/countries.csv (header: code,name,position) from Debian's
iso-codes package: ISO 3166-1 codes from the JSON file and French names from
the gettext catalogue. Standard library only; run with Debian's /usr/bin/python3.

Usage: countries-to-csv.py <iso_3166-1.json> <fr iso_3166-1.mo> <output.csv>

Name choice (see sql/data/README.md), in this order:
  1. NAME_OVERRIDES below, for the few entries whose catalogue name reads
     badly in a select list (inverted "Russie, Fédération de" forms, the
     untranslated "Türkiye", common names the catalogue lacks such as
     "Iran", "Laos", "Syria", dated spellings);
  2. the French translation of common_name when the entry has one and the
     catalogue translates it ("Corée du Sud" rather than "Corée, République de");
  3. the French translation of name.
The first letter is then upper-cased ("îles Cook" -> "Îles Cook").

Order: FR gets position 0; every other country follows, sorted in French
ignoring accents, case and punctuation (É sorts as E), positions 1..N.
"""

import csv
import gettext
import json
import sys
import unicodedata

# alpha-2 -> French name used instead of the catalogue's.
NAME_OVERRIDES = {
    'AX': 'Îles Åland',                   # catalogue: "Åland, Îles"
    'CC': 'Îles Cocos (Keeling)',         # "Cocos (Keeling), Îles"
    'CX': 'Île Christmas',                # "Christmas, Île"
    'FK': 'Îles Malouines (Falkland)',    # "Malouines, Îles (Falkland)"
    'FM': 'Micronésie',                   # "Micronésie, États fédérés de"
    'GL': 'Groenland',                    # "Groënland" (old spelling)
    'GQ': 'Guinée équatoriale',           # "Guinée Équatoriale"
    'IR': 'Iran',                         # "Iran, République islamique d'"; common_name not in catalogue
    'LA': 'Laos',                         # "Lao, République démocratique populaire"; idem
    'MO': 'Macao',                        # "Macau"
    'PS': 'Palestine',                    # "Palestine, État de"
    'RE': 'La Réunion',                   # "Réunion, Île de la"
    'RU': 'Russie',                       # "Russie, Fédération de"
    'SB': 'Îles Salomon',                 # "Salomon, Îles"
    'SY': 'Syrie',                        # "Syrienne, République arabe"; common_name untranslated ("Syria")
    'TR': 'Turquie',                      # "Türkiye" (untranslated English short name)
    'VA': 'Saint-Siège (Vatican)',        # "Saint-Siège (état de la cité du Vatican)"
    'VI': 'Îles Vierges des États-Unis',  # "Îles Vierges, États-Unis"
    'WF': 'Wallis-et-Futuna',             # "Wallis et Futuna"
}

# Names that legitimately contain ", " (not an inverted "X, République de").
COMMA_OK = {'BQ', 'SH'}

# Sanity anchors: if these do not come out right, the catalogue is missing or
# not the French one.
ANCHORS = {'FR': 'France', 'DE': 'Allemagne', 'GB': 'Royaume-Uni',
           'US': 'États-Unis', 'KR': 'Corée du Sud', 'CI': "Côte d'Ivoire"}


def die(msg):
    sys.stderr.write('countries-to-csv: error: %s\n' % msg)
    sys.exit(1)


def warn(msg):
    sys.stderr.write('countries-to-csv: warning: %s\n' % msg)


class _Missing(gettext.NullTranslations):
    def gettext(self, message):
        return None


def sort_key(name):
    """French order ignoring accents, case and punctuation: letters and
    digits only, separators folded into single spaces."""
    decomposed = unicodedata.normalize('NFKD', name)
    out = []
    for ch in decomposed:
        if unicodedata.category(ch) == 'Mn':
            continue  # combining accent
        if ch.isalnum():
            out.append(ch.lower())
        elif out and out[-1] != ' ':
            out.append(' ')
    folded = ''.join(out).strip()
    # Ligatures that NFKD leaves alone.
    folded = folded.replace('œ', 'oe').replace('æ', 'ae').replace('ß', 'ss')
    return folded


def main(argv):
    if len(argv) != 4:
        die('usage: countries-to-csv.py <iso_3166-1.json> <iso_3166-1.mo> <output.csv>')
    json_path, mo_path, out_path = argv[1:]

    try:
        with open(json_path, encoding='utf-8') as f:
            entries = json.load(f)['3166-1']
    except (OSError, ValueError, KeyError) as e:
        die('cannot read %s: %s' % (json_path, e))
    try:
        with open(mo_path, 'rb') as f:
            catalogue = gettext.GNUTranslations(f)
    except OSError as e:
        die('cannot read %s: %s' % (mo_path, e))

    # Make gettext() return None for a msgid the catalogue does not have.
    catalogue.add_fallback(_Missing())

    countries = {}
    for e in entries:
        code = e.get('alpha_2', '')
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            die('bad alpha_2 %r' % code)
        code = code.upper()
        if code in countries:
            die('duplicate code %s' % code)
        name = NAME_OVERRIDES.get(code)
        if name is None and 'common_name' in e:
            name = catalogue.gettext(e['common_name'])
            if name is None:
                warn('%s: common_name %r not in the French catalogue' % (code, e['common_name']))
        if name is None:
            name = catalogue.gettext(e['name'])
        if name is None:
            warn('%s: name %r not in the French catalogue, kept in English' % (code, e['name']))
            name = e['name']
        name = ' '.join(name.split())
        if not name:
            die('empty name for %s' % code)
        name = name[0].upper() + name[1:]
        if ', ' in name and code not in COMMA_OK:
            warn('%s name still looks inverted: %r (add an override?)' % (code, name))
        countries[code] = name

    for code in NAME_OVERRIDES:
        if code not in countries:
            warn('override for %s matches no ISO 3166-1 entry' % code)
    for code, expected in ANCHORS.items():
        if countries.get(code) != expected:
            die('%s gives %r, expected %r: wrong or missing French catalogue?'
                % (code, countries.get(code), expected))

    others = sorted((c for c in countries if c != 'FR'),
                    key=lambda c: (sort_key(countries[c]), countries[c], c))
    ordered = ['FR'] + others

    names = [countries[c] for c in ordered]
    if len(set(names)) != len(names):
        die('two countries share a name')

    with open(out_path, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\n', quoting=csv.QUOTE_MINIMAL)
        w.writerow(['code', 'name', 'position'])
        for pos, code in enumerate(ordered):
            w.writerow([code, countries[code], pos])
    sys.stderr.write('countries-to-csv: %d countries written\n' % len(ordered))


if __name__ == '__main__':
    main(sys.argv)
