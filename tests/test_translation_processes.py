"""With the Procfile's web process and a real Redis: a correction saved by another process (the
console of another web worker, ``hotline translations import``) changes the very next USSD screen
a reporter sees, and an approval the very next language menu, without restarting anything.
"""

from __future__ import annotations

from itertools import count
from pathlib import Path

import pytest
import requests

from flows.text import fold_ascii
from hotline.languages import review
from hotline.languages.review import key_of
from hotline.platform.runtime import Runtime
from tests.support.processes import Stack

pytestmark = pytest.mark.slow

MENU = "Hotline against trafficking. Free and confidential."
CORRECTED = "Nsinga ya kunwana na mumbongo ya bantu. Ofele, na kinsweki."
PHONE = "+243810000444"
_sessions = count(1)


class Phone:
    def __init__(self, url: str) -> None:
        self.url = url
        self.session_id = ""

    def dial(self) -> str:
        self.session_id, self.typed = f"ATUid_t19_{next(_sessions)}", []
        return self._hop()

    def press(self, key: str) -> str:
        self.typed.append(key)
        return self._hop()

    def _hop(self) -> str:
        form = {
            "sessionId": self.session_id,
            "phoneNumber": PHONE,
            "serviceCode": "*384*1#",
            "text": "*".join(self.typed),
        }
        response = requests.post(self.url, data=form, timeout=10)
        assert response.status_code == 200, response.text
        return response.text


def test_a_correction_and_an_approval_reach_the_running_web_process_at_the_next_screen(
    environ: dict[str, str], runtime: Runtime, tmp_path: Path
) -> None:
    env = {**environ, "HOTLINE_ENV": "production", "HOTLINE_PILOT_LANGUAGES": "kg"}
    with Stack(env, ("web",), log_dir=tmp_path) as stack:
        phone = Phone(f"{stack.url}/webhooks/at/{environ['HOTLINE_WEBHOOK_TOKEN']}/ussd")
        assert phone.dial() == "CON Langue / Language\n1 Francais\n3 Kikongo\n6 English"
        shipped = phone.press("3")  # Kikongo, in the pilot
        assert shipped.startswith(f"CON {fold_ascii(runtime.translations.translate('kg', MENU))}\n"), (
            stack.logs()
        )

        # Saved by another process, as the console or the import does: the database, then Redis.
        with runtime.session() as db:
            found = review.entry(db, runtime, "kg", key_of(MENU))
            assert found is not None
            review.change(db, runtime, "cli", found, text=CORRECTED, state="reviewed")
            db.commit()
        assert review.announce(runtime)

        assert phone.press("98").startswith(f"CON {CORRECTED}\n"), stack.logs()  # same call, next screen
        assert phone.dial().startswith(f"CON {CORRECTED}\n1 ")  # and the next call

        with runtime.session() as db:  # Tshiluba reviewed through and approved by an admin
            for entry in review.entries(db, runtime, "lua"):
                review.change(db, runtime, "cli", entry, state="reviewed")
            review.set_language_state(db, runtime, "cli", "lua", "approved")
            db.commit()
        assert review.announce(runtime)

        phone.dial()  # Kikongo remembered: the main menu, where 5 is the language
        assert (
            phone.press("5")
            == "CON Langue / Language\n1 Francais\n3 Kikongo\n5 Tshiluba\n6 English\n0 Vutuka"
        )
