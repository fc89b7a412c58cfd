"""The help widget other sites embed: its API (`api`: page articles, suggestions, deflection,
filing) and who may use it (`access`: the allowed sites, CORS through django-cors-headers,
signed user tokens through PyJWT).

No cookies and no session: the host site proves who the customer is. It files through the
same `contact_submit` as the web form, and answers with the support room's serializers.
"""
