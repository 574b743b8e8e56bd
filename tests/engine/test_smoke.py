from __future__ import annotations

from orderspec.engine import load_flow, run_flow

from .conftest import context


def test_basket_flow_runs_end_to_end(server, write_flow, tmp_path):
    (tmp_path / "cube.stl").write_bytes(b"solid cube\n" * 100)
    flow = load_flow(
        write_flow(
            """
apiVersion: orderspec/v1
kind: Flow
name: basket
base_url: "{{ target.base_url }}"
headers:
  Authorization: "Token {{ secrets.token }}"
steps:
  - name: find customer
    request: {method: GET, url: /users, params: {search: "{{ order.customer }}"}}
    capture: {customer_id: "response.body.results[0].id"}
  - name: create basket
    effect: create
    request: {method: POST, url: /baskets}
    expect: [201]
    capture: {basket_id: response.body.id}
  - name: lines
    for_each: order.items
    steps:
      - name: create line
        request: {method: POST, url: "/baskets/{{ vars.basket_id }}/lines"}
        capture: {"line_ids[]": response.body.id, line_id: response.body.id}
      - name: upload
        request:
          method: POST
          url: /files
          multipart:
            fields: {basket_id: "{{ vars.basket_id }}", unit: "{{ item.unit }}"}
            files:
              file: {path: "{{ item.file }}", content_type: model/x.stl-binary}
        capture: {uploaded: response.body}
      - name: wait
        request: {method: GET, url: "/lines/{{ vars.line_id }}/status?ready_after=1"}
        poll: {until: "response.body.status == 'finished'", every: 0.01, timeout: 5}
  - name: place
    effect: place
    request:
      method: POST
      url: /orders
      json: {basketId: "{{ vars.basket_id }}", userId: "{{ vars.customer_id }}", note: "{{ order.note }}"}
    capture: {order_id: response.body.id}
outputs:
  order_id: vars.order_id
  lines: vars.line_ids | length
contract:
  order_number: order_id
"""
        )
    )
    result = run_flow(
        flow,
        context(server, order={"customer": "Ortega", "note": "{{ secrets.token }}", "items": [{"file": "cube.stl", "unit": "mm"}, {"file": "cube.stl", "unit": "inch"}]}),
    )
    assert result.ok
    assert result.outputs["lines"] == 2
    placed = next(o for o in server.state.orders if o["id"] == result.outputs["order_id"])
    assert placed["userId"] == 42 and isinstance(placed["basketId"], int)
    assert placed["note"] == "{{ secrets.token }}"
    assert result.vars["uploaded"]["files"]["file"]["size"] == 1100
    assert result.vars["uploaded"]["fields"]["unit"] == "inch"
    assert [s.path for s in result.steps][:4] == ["find customer", "create basket", "lines[0]/create line", "lines[0]/upload"]
