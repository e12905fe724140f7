"""The reporter's and workers' words in each language as the field reviews them: what a phone
shows (``phone``, ``sms``), the checks a correction passes (``checks``), corrections, review states
and the languages' approval (``review``, ``progress``), ``.po`` files in and out (``po``).

Above ``intake`` and ``alerting`` (it renders their screens and SMS); below ``web`` and ``ops``.
"""
