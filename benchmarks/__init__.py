"""Benchmarks: performance as a ratio against a floor measured in the same run.

- `topology_build.py`: lab build and teardown against a plain ip/nft script (`uclab bench topology`).
- `floor_script.py`: that floor, the same network built by a shell script.
- `phone_bench.py`: softphone agent start and a LAN call with its verdict, against bare pjsua2.
- `phone_floor.py`: those floors, run inside a lab host without the agent layer.
- `stub_start.py`: UC stub start to ready, fresh and on restart.
- `stub_load.py`: registrations and call setups per second through the stub, against Kamailio alone.
- `stub_calls.py`: concurrent anchored calls the stub carries, two-way audio verified on each.
- `stub_farm.py`: the farm of registered pjsua2 devices stub_calls.py calls from.
- `conference_bench.py`: a 16-party MeetMe conference with every directed pair verified.
- `shards.py`: a run with 1, 2, 4 shards side by side here, and projected on N machines.
- `repro_bench.py`: a scenario file (`uclab repro`) against the same steps written as a pytest test.
- `repro_floor.py`: that floor: the scenario's steps as a pytest test with the plugin's fixtures.
- `check_bench.py`: `uclab check` of a 1-, 3- and 6-site customer against the same networks built by hand with the lab API.
"""
