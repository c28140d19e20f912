from django.urls import path

from procurement import evaluation_views, views

app_name = "procurement"

urlpatterns = [
    path("", views.home, name="home"),
    path("paket/<int:package_id>/", views.package_detail, name="package-detail"),
    path(
        "sanggah/<int:objection_id>/lampiran/",
        views.objection_attachment,
        name="objection-attachment",
    ),
    # OPD officers
    path("opd/target-pembayaran/", views.opd_payment_target, name="opd-payment-target"),
    path("paket/", views.officer_packages, name="officer-packages"),
    path("paket/baru/", views.officer_package_edit, name="officer-package-add"),
    path("paket/<int:package_id>/ubah/", views.officer_package_edit, name="officer-package-edit"),
    path(
        "paket/<int:package_id>/umumkan/",
        views.officer_package_announce,
        name="officer-package-announce",
    ),
    path(
        "paket/<int:package_id>/tutup/", views.officer_package_close, name="officer-package-close"
    ),
    path("paket/<int:package_id>/evaluasi/", views.officer_evaluation, name="officer-evaluation"),
    path(
        "paket/<int:package_id>/evaluasi/mulai/",
        views.officer_package_evaluate,
        name="officer-package-evaluate",
    ),
    path(
        "paket/<int:package_id>/evaluasi/banding/",
        views.officer_evaluation_compare,
        name="officer-evaluation-compare",
    ),
    path(
        "paket/<int:package_id>/evaluasi.xlsx",
        views.officer_evaluation_xlsx,
        name="officer-evaluation-xlsx",
    ),
    path("evaluasi/<int:run_id>/status/", views.evaluation_status, name="evaluation-status"),
    path(
        "paket/<int:package_id>/evaluasi/administrasi-teknis/",
        evaluation_views.officer_verdicts,
        name="officer-verdicts",
    ),
    path(
        "paket/<int:package_id>/evaluasi/administrasi-teknis/konfirmasi-semua/",
        evaluation_views.officer_verdicts_confirm_all,
        name="officer-verdicts-confirm-all",
    ),
    path(
        "paket/<int:package_id>/evaluasi/penawaran/<int:bid_id>/keputusan/",
        evaluation_views.officer_verdict,
        name="officer-verdict",
    ),
    path(
        "paket/<int:package_id>/evaluasi/penawaran/<int:bid_id>/klarifikasi/",
        evaluation_views.officer_clarification,
        name="officer-clarification",
    ),
    path(
        "paket/<int:package_id>/evaluasi/berita-acara/",
        evaluation_views.officer_evaluation_report,
        name="officer-evaluation-report",
    ),
    path(
        "paket/<int:package_id>/umumkan-pemenang/",
        evaluation_views.officer_announce_winner,
        name="officer-package-announce-winner",
    ),
    path(
        "paket/<int:package_id>/gagal-di-atas-hps/",
        evaluation_views.officer_package_fail_above_hps,
        name="officer-package-fail-above-hps",
    ),
    path(
        "paket/<int:package_id>/sanggah/<int:objection_id>/jawab/",
        views.officer_package_answer_objection,
        name="officer-package-answer-objection",
    ),
    path(
        "paket/<int:package_id>/tetapkan/",
        views.officer_package_award,
        name="officer-package-award",
    ),
    path(
        "paket/<int:package_id>/kontrak/",
        views.officer_package_contract,
        name="officer-package-contract",
    ),
    path(
        "paket/<int:package_id>/batalkan/",
        views.officer_package_cancel,
        name="officer-package-cancel",
    ),
    path("paket/<int:package_id>/gagal/", views.officer_package_fail, name="officer-package-fail"),
    path(
        "paket/<int:package_id>/penawaran/", views.officer_package_bids, name="officer-package-bids"
    ),
    path(
        "paket/<int:package_id>/penawaran.xlsx",
        views.officer_package_bids_xlsx,
        name="officer-package-bids-xlsx",
    ),
    # Vendors and the public
    path("paket-diumumkan/", views.public_packages, name="public-packages"),
    path("paket/<int:package_id>/penawaran-saya/", views.bid_edit, name="bid-edit"),
    path("paket/<int:package_id>/sanggah/", views.objection_file, name="objection-file"),
    path(
        "paket/<int:package_id>/hasil-evaluasi/",
        views.vendor_evaluation,
        name="vendor-evaluation",
    ),
    path("penawaran-saya/", views.my_bids, name="my-bids"),
    path("penawaran/<int:bid_id>/tanda-terima/", views.bid_receipt, name="bid-receipt"),
    path("penawaran/<int:bid_id>/tarik/", views.bid_withdraw, name="bid-withdraw"),
]
