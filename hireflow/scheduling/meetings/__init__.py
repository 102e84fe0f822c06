"""Meeting links a provider makes for a booked interview (SPEC H2): the interface
(:mod:`.base`), the HTTP providers (:mod:`.providers`), the company's settings
(:mod:`.settings`) and when a booking's meeting is made (:mod:`.service`)."""
