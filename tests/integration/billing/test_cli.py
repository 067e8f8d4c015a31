"""Billing's operator command loads the register of contracted providers into billing's table."""
import json

from services.billing.bootstrap import deps
from services.billing.cli import main


def test_load_providers_stores_each_providers_name(aws, tmp_path, capsys):
    register = tmp_path / "providers.json"
    register.write_text(json.dumps([{"provider_id": "cli-p1", "name": "Omsorg Åkesson AB"},
                                     {"provider_id": "cli-p2", "name": "Hemtjänst Söder"}]), encoding="utf-8")
    assert main(["load-providers", str(register)]) == 0
    assert "providers loaded: 2" in capsys.readouterr().out
    assert [deps().store.provider_name(p) for p in ("cli-p1", "cli-p2")] == ["Omsorg Åkesson AB", "Hemtjänst Söder"]
