"""The web side every page and endpoint shares: staff sign-in and roles (:mod:`.auth`), the input
gate every Dash callback passes (:mod:`.boundary`), security headers and the proxy
(:mod:`.security`), kiosk device cookies (:mod:`.devices`), the request's hall context
(:mod:`.current`) and answers a process draws once (:mod:`.memo`)."""
