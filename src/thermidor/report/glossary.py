"""The report's glossary: the model's words, as this model defines them (docs/design.md and
docs/ODD.md give the full definitions; the letter is thermidor.data.letter())."""

from __future__ import annotations

# (term, definition); the order a reader meets them in the report
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("run, ensemble, band",
     "A run is one simulated history from one random seed. An ensemble is many runs of one "
     "scenario; the report gives their median and the band within which 50 % or 90 % of them "
     "lie. A share of runs carries a 95 % interval (Wilson): with few runs it is wide."),
    ("scale",
     "How many real persons one agent stands for: at 1:2,000 one agent is 2,000 persons. Counts "
     "of persons in this report are agents divided by the scale."),
    ("cell (nucleus)",
     "A party cell: in a factory, a village, an institution, the army or a school. The letter's "
     "'nuclei that are entirely degenerated, others that are still healthy but amorphous, others "
     "that have hardly been affected'."),
    ("d (degeneration)",
     "How far a person acts for the apparatus and the new proprietor rather than for the working "
     "class, from 0 (not at all) to 1 (entirely). A cell's d is the mean of its members'."),
    ("kernel (proletarian kernel)",
     "The worker members of the party, the letter's 'proletarian kernel' whose conquest 'is to "
     "conquer the party'. The active Left kernel is the share of them that are active and say a "
     "Left stance ('on condition that the latter is active and has a correct orientation')."),
    ("apparatus",
     "The full-time functionaries of the party (the party apparatus) and the members working in "
     "Soviet institutions (the Soviet apparatus); their degeneration is measured apart (Q2)."),
    ("line",
     "The Centre's political course, from -1 (the line of the new proprietor, the Right) through "
     "0 (the Centre) to +1 (a consistent proletarian line, the Left). Its campaigns against the "
     "Right or the Left are the 'zig-zags' of Q4."),
    ("π (pi)",
     "The proletariat's share of state power, from 0 to 1: pushed up by an active, left-leaning "
     "kernel that masters the party, down by the proprietors' weight times the apparatus' "
     "degeneration."),
    ("β (beta)",
     "The autonomy of the bureaucracy, from 0 to 1: the 'bureaucratic apparatus oscillating "
     "between the classes', growing while both classes are passive."),
    ("duality (of power)",
     "The state the letter finds in 1928: power has slipped from the proletariat 'to a "
     "considerable degree, but still far from decisively', and has not passed to the bourgeoisie. "
     "'Unstable, by its very essence': a run that reaches its horizon without an outcome ends "
     "with duality still open."),
    ("outcome",
     "An absorbing end of a run, each with a documented rule: reform, Thermidor or bureaucratic "
     "consolidation; otherwise duality is still open at the horizon. A run that ended keeps its "
     "last state in the curves that follow it."),
    ("reform",
     "The proletariat 'regains full power, renovates the bureaucracy and puts it under its "
     "control by the road of reform of the party and the Soviets': the kernel masters the party, "
     "π is high and the apparatus' degeneration low."),
    ("Thermidor (in this model)",
     "Bourgeois restoration, as the letter of 1928 uses the word: the bourgeoisie seizes power "
     "'by the road of counter-revolutionary upheaval', which the model allows only once π is low, "
     "with a hazard growing with the proprietors' weight and the Right's strength. This is NOT "
     "the 'Soviet Thermidor' of Trotsky's 1935 essay 'The Workers' State, Thermidor and "
     "Bonapartism', which used the word for the bureaucracy's victory over the vanguard on the "
     "basis of nationalised property, without a restoration; in this model that is closer to "
     "bureaucratic consolidation."),
    ("bureaucratic consolidation",
     "The apparatus rules over both passive classes: β stays high for long. No class holds "
     "power; the bureaucracy does."),
    ("dry guillotine",
     "The letter's name for repression without executions: expulsion from the party, exile, and "
     "capitulation (an exiled oppositionist recants and returns, as Radek, Preobrazhensky and "
     "Smilga did in July 1929)."),
    ("strategy",
     "What an opposition group's cadres do: reform (work in the cells, back every real left step "
     "while criticising), corpse (treat the party as dead, address only non-party workers) or "
     "manifesto (declare October already liquidated, as the Kharkov appeal did). Strategies are "
     "numbers acting through the documented mechanisms; no mechanism reads a strategy's name."),
    ("bloc",
     "Two opposition groups united (Q7). A bloc meets clashes; 'delimitation first' narrows "
     "their programmes' distance before uniting."),
)  # fmt: skip
