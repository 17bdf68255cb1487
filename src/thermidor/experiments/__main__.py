"""`python -m thermidor.experiments ARGS`: the thermidor command line, for launchers such as

    mpiexec -n 5 python -m mpi4py.futures -m thermidor.experiments ensemble 1928 --runs 100 \\
        --out out/ens --executor mpi
"""

from thermidor.experiments.commands import _main

if __name__ == "__main__":
    _main()
