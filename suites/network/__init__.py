"""myPortal @work across the documented networks: office LAN, VPN, the Internet, NATs, ALGs.

Tests name their rules (NET, NAT, PORT, TRB, ALG) and the 004 lines they check.

- `test_net_1_office_lan.py`: NET-1.1, 1.2, 1.7 and 1.11 on the office LAN (no Internet, no STUN).
- `test_net_1_vpn.py`: NET-1.4 and 1.6: the home user through a VPN, and moving between home and office.
- `test_net_1_internet.py`: NET-1.5 and 1.7: the client over the public Internet, and roaming into the office.
- `test_wan_interface.py`: the system on its WAN interface, a documented misconfiguration (NET-1.5, TRB-3).
- `test_section2_port_forward.py`: 004 chapter 2 and PORT-4: the office router forwards only 8802.
- `test_port_table.py`: PORT-1..3: the 004 section 3.4 port table, executed.
- `test_nat.py`: NAT-1..5: the NAT types between the home client and the office.
- `test_troubleshooting.py`: TRB-1..4: the 004 troubleshooting guide reproduced.
- `test_alg.py`: ALG-1: a SIP ALG on the home router, its four documented symptoms and their fixes.
- `test_alg_tls.py`: ALG-1 against TLS signalling on 8802: the symptoms it is immune to.
- `alg_support.py`: what the ALG suites share: symptoms, the router behaviour behind each, settings, evidence.
- `test_matrix.py`: the support matrix's representative cells as tests.
- `matrix_spec.py`: the support matrix: which networks myPortal @work VoIP works in, per the documents.
- `matrix_cells.py`: measuring one cell of the support matrix in the matrix lab.
- `test_suites_can_fail.py`: the network suites' own checks fail against a broken lab or a wrong expectation.
"""
