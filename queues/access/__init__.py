"""Who may do what: staff accounts and sign-in (:mod:`.staff`), sessions (:mod:`.sessions`), the
sign-in throttle (:mod:`.throttle`), API tokens (:mod:`.tokens`), paired kiosk devices
(:mod:`.devices`), and who asks for a ticket with the limits that apply (:mod:`.requesters`)."""
