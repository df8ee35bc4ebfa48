"""Performance, each figure a ratio against a floor measured in the same run (`uclab bench`).

- `topology_build.py`: lab build and teardown time against a plain ip/nft script.
- `floor_script.py`: that floor: a shell script building the same network with `ip` and `nft`.
- `phone_bench.py`: softphone agent start and a LAN call with its two-way verdict, against floors.
- `phone_floor.py`: the softphone floors, run inside a lab host without the agent layer.
- `stub_start.py`: UC stub start to ready, fresh and on restart.
- `stub_load.py`: registrations and call setups per second through the stub, against Kamailio alone.
- `stub_calls.py`: concurrent anchored calls the stub carries on 2 cores, two-way audio verified on each.
- `stub_farm.py`: the farm of registered pjsua2 devices stub_calls.py calls from and to.
- `conference_bench.py`: a 16-party MeetMe conference with every directed pair of parties verified.
"""
