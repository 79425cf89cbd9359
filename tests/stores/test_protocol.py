"""Both stores are a GraphStore: the questions ask the embedded store and a SPARQL server through one interface."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from crossplan.graph.errors import LocalOnlyError
from crossplan.graph.stores.embedded import CrossplanStore, require_local
from crossplan.graph.stores.endpoint import EndpointStore
from crossplan.graph.stores.protocol import GraphStore


def test_both_stores_conform_to_the_protocol():
    local = CrossplanStore(Store(), None, None)
    server = EndpointStore("http://127.0.0.1:1/sparql")
    assert isinstance(local, GraphStore)
    assert isinstance(server, GraphStore)
    assert server.data_dir is None


def test_only_a_store_with_a_data_directory_is_local(tmp_path):
    local = CrossplanStore(Store(), tmp_path, None)
    assert require_local(local) is local
    with pytest.raises(LocalOnlyError, match="^this works on the local data, not on a SPARQL server"):
        require_local(EndpointStore("http://127.0.0.1:1/sparql"))
    with pytest.raises(LocalOnlyError):
        require_local(CrossplanStore(Store(), None, None))
