"""Generic REST API tests, NetBox style: a resource declares what it is, the base runs the standard checks.

Subclass `APIResourceTests` as `Test<Resource>` and declare:

    url          the list URL, e.g. "/api/v1/deployments/"
    create_data  a method returning a valid POST body, building the parent objects it needs; two calls give
                 two distinct objects
    update_data  a PATCH body; every key must read back with the sent value
    filters      {query parameter: response key}: filtering by the value the first object shows under the key
                 must find it and not the second object
    bad_input    {field: invalid value} merged into a valid body: 400 whose JSON names the field, nothing saved
    unique       True if posting the same body twice answers 409; False if duplicates are allowed (201 twice)

The base checks list (paginated), create, read, update, delete, filter, bad input, authentication, duplicates
and values of the wrong type in every field; an unexpected server error fails the test because the test client
re-raises it.
"""
import pytest
from rest_framework.test import APIClient

from clusters.api.views import ROUTES


def model_for(url: str):
    """The model behind an API list URL, from the route list of clusters/api/views.py."""
    prefix = url.strip("/").split("/")[-1]
    return dict(ROUTES)[prefix].queryset.model


def detail(url: str, pk) -> str:
    return f"{url}{pk}/"


@pytest.mark.django_db
class APIResourceTests:
    url: str
    update_data: dict
    filters: dict = {"name": "name"}
    bad_input: dict
    unique = True

    def create_data(self) -> dict:
        raise NotImplementedError

    def post(self, api, data=None):
        response = api.post(self.url, data if data is not None else self.create_data(), format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    def test_list_is_paginated(self, api):
        created = [self.post(api), self.post(api)]
        response = api.get(self.url)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == model_for(self.url).objects.count()
        assert {obj["id"] for obj in created} <= {obj["id"] for obj in body["results"]}
        page = api.get(self.url, {"limit": 1}).json()
        assert len(page["results"]) == 1 and page["next"]

    def test_create(self, api):
        data = self.create_data()
        body = self.post(api, data)
        assert model_for(self.url).objects.filter(pk=body["id"]).exists()
        for key, value in data.items():
            if key in body and not isinstance(value, (list, dict)):
                assert body[key] == value, key

    def test_read(self, api):
        created = self.post(api)
        response = api.get(detail(self.url, created["id"]))
        assert response.status_code == 200
        assert response.json() == created

    def test_update(self, api):
        created = self.post(api)
        response = api.patch(detail(self.url, created["id"]), self.update_data, format="json")
        assert response.status_code == 200, response.json()
        stored = api.get(detail(self.url, created["id"])).json()
        for key, value in self.update_data.items():
            assert response.json()[key] == value, key
            assert stored[key] == value, key

    def test_delete(self, api):
        created = self.post(api)
        assert api.delete(detail(self.url, created["id"])).status_code == 204
        assert api.get(detail(self.url, created["id"])).status_code == 404
        assert not model_for(self.url).objects.filter(pk=created["id"]).exists()

    def test_filters(self, api):
        first, second = self.post(api), self.post(api)
        for param, key in self.filters.items():
            assert first[key] != second[key], f"create_data must vary {key} to test the {param} filter"
            response = api.get(self.url, {param: first[key]})
            assert response.status_code == 200
            ids = {obj["id"] for obj in response.json()["results"]}
            assert first["id"] in ids and second["id"] not in ids, param

    def test_bad_input_names_the_field(self, api):
        model, data = model_for(self.url), {**self.create_data(), **self.bad_input}
        before = model.objects.count()
        response = api.post(self.url, data, format="json")
        assert response.status_code == 400
        for field in self.bad_input:
            assert field in response.json(), response.json()
        assert model.objects.count() == before

    def test_unauthenticated(self, api):
        created = self.post(api)
        for client in (APIClient(), APIClient(HTTP_AUTHORIZATION="Token nope")):
            assert client.get(self.url).status_code == 401
            assert client.get(detail(self.url, created["id"])).status_code == 401
            assert client.post(self.url, self.create_data(), format="json").status_code == 401
            assert client.patch(detail(self.url, created["id"]), self.update_data, format="json").status_code == 401
            assert client.delete(detail(self.url, created["id"])).status_code == 401
        assert model_for(self.url).objects.filter(pk=created["id"]).exists()

    def test_duplicate(self, api):
        data = self.create_data()
        self.post(api, data)
        response = api.post(self.url, data, format="json")
        assert response.status_code == (409 if self.unique else 201), response.json()

    @pytest.mark.parametrize("garbage", [None, "", "x" * 300, -1, 2**63, [1, "a"], {"a": {"b": 1}}, "10.0.0.0/8\n",
                                         "nul\x00", {"nul": "\x00"}],
                             ids=repr)
    def test_wrong_values_never_crash(self, api, garbage):
        """Any field set to a value of the wrong type or size, on create or update: 400 naming the field, or
        accepted (409 if an earlier accepted value took the name); never a 500."""
        created = self.post(api)
        for field in {**self.create_data(), **self.update_data}:
            for response in (api.post(self.url, {**self.create_data(), field: garbage}, format="json"),
                             api.patch(detail(self.url, created["id"]), {field: garbage}, format="json")):
                assert response.status_code in (200, 201, 400, 409), (field, response.status_code, response.content)
                if response.status_code == 400:
                    assert any(key == field or key.startswith(f"{field}[") for key in response.json()), \
                        (field, response.json())
