"""Everyday concepts that name clusters by zero-shot CLIP ("a photo of {concept}").

One theme per line, concepts separated by "|"; colours and simple shapes are included because
people search by them too.
"""

_THEMES = """
beach|sea|ocean|waves|lake|river|waterfall|mountain|hill|valley|forest|tree|flowers|garden|park|field|meadow|desert|snow|ice|glacier|sky|clouds|sunset|sunrise|night sky|stars|moon|rain|fog|storm
city|skyline|street|road|bridge|building|house|apartment|church|temple|castle|tower|ruins|village|farm|barn|countryside|island|harbour|boat|sailboat|ship|car|truck|bus|train|tram|airplane|helicopter|bicycle|motorcycle|scooter|traffic|parking lot|highway|tunnel|subway station|airport
dog|puppy|cat|kitten|bird|parrot|horse|cow|sheep|goat|pig|chicken|duck|fish|aquarium|insect|butterfly|bee|spider|snake|lizard|turtle|frog|rabbit|hamster|squirrel|deer|bear|elephant|giraffe|zebra|lion|tiger|monkey|zoo|wildlife
person|man|woman|child|baby|toddler|family|friends|couple|wedding|bride|groom|party|birthday cake|celebration|concert|crowd|festival|parade|graduation|portrait|selfie|group photo|people dancing|people eating|people swimming|sports|football|soccer|basketball|tennis|baseball|golf|running|cycling|hiking|climbing|skiing|snowboarding|surfing|swimming pool|gym|yoga
food|meal|breakfast|lunch|dinner|pizza|burger|sandwich|salad|soup|pasta|sushi|noodles|rice|bread|cake|dessert|ice cream|fruit|vegetables|coffee|tea|wine|beer|cocktail|restaurant|kitchen|cooking|market|grocery store|shop|bakery|cafe|bar
living room|bedroom|bathroom|office|desk|computer|laptop|phone|screen|television|book|books|library|classroom|school|museum|art|painting|sculpture|drawing|poster|graffiti|mural
document|receipt|invoice|letter|handwriting|text|sign|menu|map|ticket|screenshot|whiteboard|chart|diagram|newspaper|magazine|label|barcode|qr code|business card|passport
toy|lego|doll|teddy bear|game|board game|video game|christmas tree|christmas|halloween|easter|fireworks|candles|lights|decoration|gift
clothes|shoes|dress|shirt|hat|glasses|jewelry|watch|bag|umbrella|furniture|chair|sofa|table|bed|lamp|window|door|stairs|fireplace
tools|car engine|construction site|factory|machine|robot|plant|houseplant|cactus|leaves|autumn leaves|spring|summer|winter
red|orange|yellow|green|blue|purple|pink|brown|black|white|gray|colorful|black and white
circle|square|triangle|star|heart|stripes|pattern|texture|abstract
close up|macro|aerial view|landscape|panorama|indoor|outdoor|underwater|nature|architecture
"""

CONCEPTS: tuple[str, ...] = tuple(c for line in _THEMES.strip().split("\n") for c in line.split("|"))
